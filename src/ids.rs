//! Identities of new appeals and events: ULIDs, each after the one before on its thread.
//!
//! Why: within a millisecond a ULID's 80 random bits are incompressible, and a bulk write
//! makes hundreds of identities a millisecond. Taken one after another (the last plus one, as
//! ULID's monotonic generator does), those of one millisecond share all but their last
//! characters: the 100k import's sealed journal took a fifth less room, and the histories that
//! hold them less too (BENCHMARKS.md, sixteenth round). Unique as before: a thread starts each
//! millisecond from random bits.

use std::cell::RefCell;

thread_local! {
    static GENERATOR: RefCell<ulid::Generator> = const { RefCell::new(ulid::Generator::new()) };
}

/// A new identity, after the last one this thread made.
pub fn next() -> ulid::Ulid {
    match GENERATOR.with(|g| g.borrow_mut().generate()) {
        Ok(id) => id,
        // 2^80 identities in one millisecond ran out: a random one, as before (not
        // `unwrap_or_default`: a ULID's default is nil).
        Err(_) => ulid::Ulid::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_identity_is_after_the_one_before_and_all_differ() {
        let ids: Vec<ulid::Ulid> = (0..10_000).map(|_| super::next()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        // Those of one millisecond differ in their last characters only.
        let same_ms = ids
            .windows(2)
            .filter(|w| w[0].timestamp_ms() == w[1].timestamp_ms())
            .count();
        assert!(same_ms > 0);
        let other_thread = std::thread::spawn(super::next).join();
        assert!(other_thread.is_ok_and(|id| !ids.contains(&id)));
    }
}
