//! What sled's first open in a process asks of memory, as `vendor/sled` changes it (its
//! `ZHUQI.md` says why): zhuqi builds sled without its metrics, and their forty histograms no
//! longer take 20 MB, zeroed, that nothing reads. Counted by an allocator of this test's own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system's allocator, counting every byte it is asked for.
struct Counting;

static ASKED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system's allocator as it came.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ASKED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ASKED.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ASKED.fetch_add(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// The only test in this file, so that nothing else allocates while it counts.
#[test]
fn the_first_open_asks_for_little_memory() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = sled::Config::new()
        .path(t.path().join("db"))
        .cache_capacity(8 << 20)
        .flush_every_ms(None);
    let before = ASKED.load(Ordering::Relaxed);
    let db = config.open().unwrap_or_else(|e| panic!("{e}"));
    db.insert("key", "value").unwrap_or_else(|e| panic!("{e}"));
    let asked = ASKED.load(Ordering::Relaxed) - before;
    // 7.5 MB, nearly all of it the page table's first two nodes (6 MB, zeroed, mostly never
    // touched); with the histograms as well, 29 MB.
    assert!(
        asked < 16 << 20,
        "sled's first open asked for {asked} bytes"
    );
    assert_eq!(
        db.get("key").unwrap_or_else(|e| panic!("{e}")).as_deref(),
        Some(&b"value"[..])
    );
}
