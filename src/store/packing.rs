//! A value as the store keeps it: `0 ‖ bytes` when short, `1 ‖ length (u32 LE) ‖ zstd of the
//! bytes` otherwise, or `2 ‖ length (u32 LE) ‖ zstd of the bytes with the store's dictionary`
//! for values of its kind, once it has one (`dictionary`). Histories and summaries are packed;
//! zstd alone keeps about two thirds of a history, with the dictionary 0.4 of a history and of
//! a summary (measured on the demo's), for a microsecond or two a read.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io;
use std::thread::LocalKey;

use zstd::bulk::{Compressor, Decompressor};
use zstd::zstd_safe::{CCtx, DCtx};

use crate::domain::Appeal;

use super::dictionary::{Compressing, Dictionaries, Dictionary};
use super::{StoreError, codec};

const RAW: u8 = 0;
const ZSTD: u8 = 1;
pub(super) const ZSTD_DICTIONARY: u8 = 2;
/// Below this many bytes compression gains nothing worth a decompression on each read.
const PACK_FROM: usize = 128;
/// zstd's level: 3 is its default, the best trade of size for time on values this small.
const LEVEL: i32 = 3;

/// `bytes` as the store keeps them, with the store's dictionary for their kind if it has one.
fn pack(bytes: &[u8], dictionary: Option<&Dictionary>) -> Result<Vec<u8>, StoreError> {
    if bytes.len() < PACK_FROM {
        let mut out = Vec::with_capacity(bytes.len() + 1);
        out.push(RAW);
        out.extend_from_slice(bytes);
        return Ok(out);
    }
    let len = u32::try_from(bytes.len())
        .map_err(|_| StoreError::Corrupt("a value too large to store".into()))?;
    let cannot = |e: String| StoreError::Corrupt(format!("cannot compress a value to store: {e}"));
    let mut out = Vec::with_capacity(zstd::zstd_safe::compress_bound(bytes.len()) + 5);
    out.push(match dictionary {
        Some(_) => ZSTD_DICTIONARY,
        None => ZSTD,
    });
    out.extend_from_slice(&len.to_le_bytes());
    match dictionary {
        Some(d) => {
            let mut packed = Vec::with_capacity(zstd::zstd_safe::compress_bound(bytes.len()));
            with_kept(
                &DICTIONARY_COMPRESSOR,
                || Ok(CCtx::create()),
                |c| match d.for_compressing() {
                    Compressing::Prepared(cdict) => c
                        .compress_using_cdict(&mut packed, bytes, cdict)
                        .map_err(zstd_error),
                    Compressing::Bytes(dictionary, level) => c
                        .compress_using_dict(&mut packed, bytes, dictionary, level)
                        .map_err(zstd_error),
                },
            )
            .map_err(|e| cannot(e.to_string()))?;
            out.extend_from_slice(&packed);
        }
        None => {
            let packed = with_kept(
                &COMPRESSOR,
                || Compressor::new(LEVEL),
                |c| c.compress(bytes),
            )
            .map_err(|e| cannot(e.to_string()))?;
            out.extend_from_slice(&packed);
        }
    }
    Ok(out)
}

/// Whether a stored value is packed with the store's dictionary (or too short to pack): a
/// move to the archive packs the others again once the store has one.
pub fn with_dictionary(stored: &[u8]) -> bool {
    matches!(stored.first(), None | Some(&RAW) | Some(&ZSTD_DICTIONARY))
}

thread_local! {
    // A zstd context is costly to make (an export of 100k histories took 60% longer making one
    // per history): one per thread, kept.
    static COMPRESSOR: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static DECOMPRESSOR: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
    static DICTIONARY_COMPRESSOR: RefCell<Option<CCtx<'static>>> = const { RefCell::new(None) };
    static DICTIONARY_DECOMPRESSOR: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
}

fn zstd_error(code: usize) -> io::Error {
    io::Error::other(zstd::zstd_safe::get_error_name(code))
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

/// What a stored value holds, `what` it is named by in an error (`dictionary`: the store's for
/// its kind, if it has one).
fn unpack<'a>(
    stored: &'a [u8],
    dictionary: Option<&Dictionary>,
    what: &str,
) -> Result<Cow<'a, [u8]>, StoreError> {
    let damaged = |how: &str| StoreError::Corrupt(format!("{what} {how}"));
    match stored.split_first() {
        None => Ok(Cow::Borrowed(&[])),
        Some((&RAW, bytes)) => Ok(Cow::Borrowed(bytes)),
        Some((&kind @ (ZSTD | ZSTD_DICTIONARY), rest)) => {
            let len: [u8; 4] = rest
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| damaged("is cut short"))?;
            let len = u32::from_le_bytes(len) as usize;
            let packed = &rest[4..];
            let bytes = match kind {
                ZSTD => with_kept(&DECOMPRESSOR, Decompressor::new, |d| {
                    d.decompress(packed, len)
                }),
                _ => {
                    let d = dictionary
                        .ok_or_else(|| damaged("is packed with a dictionary the store lacks"))?;
                    if zstd::zstd_safe::get_dict_id_from_frame(packed).map(|id| id.get())
                        != Some(d.id())
                    {
                        return Err(damaged(
                            "is packed with another dictionary than the store's",
                        ));
                    }
                    let mut bytes = Vec::with_capacity(len);
                    with_kept(
                        &DICTIONARY_DECOMPRESSOR,
                        || Ok(DCtx::create()),
                        |c| {
                            c.decompress_using_ddict(&mut bytes, packed, d.for_decompressing())
                                .map_err(zstd_error)
                        },
                    )
                    .map(|_| bytes)
                }
            }
            .map_err(|e| damaged(&format!("cannot be read: {e}")))?;
            if bytes.len() != len {
                return Err(damaged("is not as long as it says"));
            }
            Ok(Cow::Owned(bytes))
        }
        Some((kind, _)) => Err(damaged(&format!("is packed in an unknown way ({kind})"))),
    }
}

/// An appeal's history (its frames) as the store keeps it.
pub fn pack_history(frames: &[u8], d: Option<&Dictionaries>) -> Result<Vec<u8>, StoreError> {
    pack(frames, d.map(|d| &d.histories))
}

/// The frames of a stored history.
pub fn history<'a>(
    stored: &'a [u8],
    d: Option<&Dictionaries>,
) -> Result<Cow<'a, [u8]>, StoreError> {
    unpack(stored, d.map(|d| &d.histories), "an appeal's history")
}

/// An appeal's summary (`codec::encode(&appeal.summary())`) as the store keeps it.
pub fn pack_summary(encoded: &[u8], d: Option<&Dictionaries>) -> Result<Vec<u8>, StoreError> {
    pack(encoded, d.map(|d| &d.summaries))
}

/// The appeal of a stored summary (without its long texts and timeline).
pub fn summary(stored: &[u8], d: Option<&Dictionaries>) -> Result<Appeal, StoreError> {
    codec::decode(
        &unpack(stored, d.map(|d| &d.summaries), "an appeal's summary")?,
        "an appeal",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AppealChange, Event};
    use crate::store::dictionary::TRAIN_FROM;
    use crate::store::history::push;

    const WHAT: &str = "an appeal's history";

    fn note(text: &str, id: u128) -> Event {
        super::super::tests::event(ulid::Ulid(7), id, AppealChange::Noted { text: text.into() })
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
            assert_eq!(*unpack(&pack(frames, None)?, None, WHAT)?, *frames);
        }
        assert_eq!(pack(&short, None)?[0], RAW);
        let packed = pack(&long, None)?;
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
        assert!(matches!(
            unpack(&cut, None, WHAT),
            Err(StoreError::Corrupt(_))
        ));
        let mut longer = packed.clone();
        longer[1] = longer[1].wrapping_add(1);
        assert!(matches!(
            unpack(&longer, None, WHAT),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            unpack(&[9, 1, 2], None, WHAT),
            Err(StoreError::Corrupt(_))
        ));
        Ok(())
    }

    /// Histories unlike each other in their words, alike in their shape, as a store's are.
    fn histories(n: u128) -> Result<Vec<Vec<u8>>, StoreError> {
        let places = [
            "供电公司",
            "区住建局",
            "消防大队",
            "税务所",
            "园区管委会",
            "自来水公司",
        ];
        (0..n)
            .map(|i| {
                let mut h = Vec::new();
                for step in 0..6u128 {
                    let place = places[((i + step) % 6) as usize];
                    let text = format!("第{i}号诉求：已联系{place}，约定第{step}周到企业现场查看");
                    push(&mut h, &note(&text, i * 10 + step))?;
                }
                Ok(h)
            })
            .collect()
    }

    /// A dictionary trained on `samples`, as the store keeps it and reads it back.
    fn trained(samples: &[Vec<u8>]) -> Result<Dictionary, StoreError> {
        let refs: Vec<&[u8]> = samples.iter().map(|h| h.as_slice()).collect();
        let dictionary = Dictionary::train(&refs, 64 * 1024)
            .ok_or("no dictionary trained")
            .map_err(|e| StoreError::Corrupt(e.into()))?;
        Dictionary::from_stored(dictionary.bytes().to_vec())
    }

    #[test]
    fn a_dictionary_packs_its_first_values_unprepared_and_the_rest_prepared()
    -> Result<(), StoreError> {
        let samples = histories(200)?;
        let dictionary = trained(&samples)?;
        let mut packed = Vec::new();
        for frames in &samples[..12] {
            let was_prepared = dictionary.is_prepared_to_compress();
            packed.push((pack(frames, Some(&dictionary))?, was_prepared));
        }
        let prepared_from = packed.iter().position(|(_, prepared)| *prepared);
        assert_eq!(
            prepared_from,
            Some(super::super::dictionary::UNPREPARED_USES + 1)
        );
        for ((p, _), frames) in packed.iter().zip(&samples) {
            assert_eq!(p[0], ZSTD_DICTIONARY);
            // Read back alike, by a process that never prepared it to compress.
            let reader = Dictionary::from_stored(dictionary.bytes().to_vec())?;
            assert_eq!(*unpack(p, Some(&reader), WHAT)?, **frames);
            assert!(!reader.is_prepared_to_compress());
        }
        Ok(())
    }

    #[test]
    fn with_the_stores_dictionary_histories_are_smaller_and_come_back_whole()
    -> Result<(), StoreError> {
        let samples = histories(200)?;
        let refs: Vec<&[u8]> = samples.iter().map(|h| h.as_slice()).collect();
        let dictionary = trained(&samples)?;
        let (mut with, mut without) = (0, 0);
        for frames in &samples {
            let packed = pack(frames, Some(&dictionary))?;
            assert_eq!(packed[0], ZSTD_DICTIONARY);
            assert!(with_dictionary(&packed));
            assert_eq!(*unpack(&packed, Some(&dictionary), WHAT)?, **frames);
            let plain = pack(frames, None)?;
            assert!(!with_dictionary(&plain));
            // Packed before the store had a dictionary: still read.
            assert_eq!(*unpack(&plain, Some(&dictionary), WHAT)?, **frames);
            with += packed.len();
            without += plain.len();
        }
        assert!(with * 10 < without * 8, "{with} against {without}");
        // Without the dictionary, or with another, it is damage reported, not misread.
        let packed = pack(&samples[0], Some(&dictionary))?;
        assert!(matches!(
            unpack(&packed, None, WHAT),
            Err(StoreError::Corrupt(m)) if m.contains("lacks")
        ));
        let other_samples = histories(120)?;
        let other: Vec<&[u8]> = other_samples.iter().rev().map(|h| h.as_slice()).collect();
        let other = Dictionary::train(&other[..60], 64 * 1024)
            .ok_or("no dictionary trained")
            .map_err(|e| StoreError::Corrupt(e.into()))?;
        if other.id() != dictionary.id() {
            assert!(matches!(
                unpack(&packed, Some(&other), WHAT),
                Err(StoreError::Corrupt(m)) if m.contains("another dictionary")
            ));
        }
        let mut cut = packed.clone();
        cut.truncate(packed.len() - 4);
        assert!(matches!(
            unpack(&cut, Some(&dictionary), WHAT),
            Err(StoreError::Corrupt(_))
        ));
        // Too few histories to learn from: none is trained.
        assert!(Dictionary::train(&refs[..TRAIN_FROM - 1], 64 * 1024).is_none());
        Ok(())
    }
}
