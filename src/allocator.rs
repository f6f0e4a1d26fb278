//! The binary's allocator: glibc's for every command, mimalloc from the moment a bulk write (an
//! import, a rebuild, a generated demo) asks.
//!
//! An import reads, plans and commits on three threads that allocate and free all the time, and a
//! quarter of its samples were in glibc's allocator (BENCHMARKS.md, twelfth round). mimalloc as
//! the allocator of every command cost each of them about half a millisecond at its start (ninth
//! round), which a note cannot afford. So the switch is made once, before the bulk write's
//! threads start, and never undone: a block is always freed by the allocator that gave it, which
//! mimalloc can tell from its own page map.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use libmimalloc_sys as mi;

/// mimalloc's `mi_option_purge_delay`, next after `mi_option_eager_commit_delay` in its
/// `mimalloc.h` (`libmimalloc-sys` does not name it).
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = mi::mi_option_eager_commit_delay + 1;
/// mimalloc's `mi_option_allow_thp`, the last of the options in its `mimalloc.h` (version 2.2,
/// as `libmimalloc-sys` 0.1.49 builds it).
const MI_OPTION_ALLOW_THP: mi::mi_option_t = 37;
/// A purge delay of -1: freed memory is kept, never given back to the system.
const NEVER: std::ffi::c_long = -1;

/// Zeroed blocks this large come from glibc even after the switch. glibc maps them fresh from
/// the kernel, whose pages are zeros already and cost nothing until touched; mimalloc zeroes
/// every byte at once. sled asks for its page table so (6 MB a database, mostly never touched),
/// and an import opens several (BENCHMARKS.md, nineteenth round).
const LARGE_ZEROED: usize = 1 << 20;

pub struct DeskAllocator {
    mimalloc: AtomicBool,
}

impl DeskAllocator {
    pub const fn new() -> Self {
        Self {
            mimalloc: AtomicBool::new(false),
        }
    }

    /// Blocks given from now on come from mimalloc. Those given before stay glibc's until freed.
    pub fn use_mimalloc(&self) {
        // A bulk write frees a batch's memory on one thread while the next batch's is asked for
        // on another; given back to the system 10 ms after (mimalloc's default), it came back
        // as fresh pages, zeroed by the kernel: a tenth of an import's time. Kept until the
        // command ends, an import of 100k took 3.25-3.49 s against 3.56-3.81 s, its peak 60-80
        // MB higher (BENCHMARKS.md, fourteenth round). Only bulk commands switch, and they end
        // with their write.
        // And without transparent huge pages: mimalloc asks the kernel for them on the memory it
        // maps, and a page touched first then had 2 MB zeroed, not 4 KB. An import of 100k on a
        // machine idle before it took 3.35-3.36 s against 3.55-3.65 s (kernel time 0.8 s against
        // 1.3 s), 3.13-3.22 s against 3.21-3.42 s run after another, its peak 25-30 MB lower.
        // SAFETY: setting an option is safe at any time; mimalloc reads these when it next purges
        // and when it next maps memory, which it has not yet (nothing was asked of it).
        unsafe {
            mi::mi_option_set(MI_OPTION_PURGE_DELAY, NEVER);
            mi::mi_option_set(MI_OPTION_ALLOW_THP, 0);
        }
        self.mimalloc.store(true, Ordering::Relaxed);
    }

    fn gives_from_mimalloc(&self) -> bool {
        self.mimalloc.load(Ordering::Relaxed)
    }

    /// Whether mimalloc gave `ptr`. Until the switch none can have come from it, so the question
    /// costs glibc's commands one load.
    fn gave(&self, ptr: *mut u8) -> bool {
        // SAFETY: `mi_is_in_heap_region` only looks `ptr` up in mimalloc's page map; any pointer
        // may be passed.
        self.gives_from_mimalloc() && unsafe { mi::mi_is_in_heap_region(ptr as *const c_void) }
    }
}

impl Default for DeskAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: each block is given by one allocator and freed or grown by the same one (`gave`), and
// both honour the layout's size and alignment.
unsafe impl GlobalAlloc for DeskAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.gives_from_mimalloc() {
            // SAFETY: mimalloc takes any size and a power-of-two alignment, as `Layout` holds.
            unsafe { mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8 }
        } else {
            // SAFETY: passed on as given.
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if self.gives_from_mimalloc() && layout.size() < LARGE_ZEROED {
            // SAFETY: as `alloc`.
            unsafe { mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8 }
        } else {
            // SAFETY: passed on as given.
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.gave(ptr) {
            // SAFETY: mimalloc gave `ptr`.
            unsafe { mi::mi_free(ptr as *mut c_void) }
        } else {
            // SAFETY: glibc gave `ptr`, with this layout.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if self.gave(ptr) {
            // SAFETY: mimalloc gave `ptr`; the alignment is the block's own.
            unsafe {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        } else {
            // A block glibc gave grows in glibc: it is freed there too.
            // SAFETY: glibc gave `ptr`, with this layout.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(ptr: *mut u8, len: usize, byte: u8) {
        // SAFETY: the tests pass blocks of at least `len` bytes.
        unsafe { std::ptr::write_bytes(ptr, byte, len) }
    }

    #[test]
    fn blocks_before_the_switch_are_glibcs_and_after_it_mimallocs() {
        let allocator = DeskAllocator::new();
        let small = Layout::from_size_align(24, 8).unwrap();
        let aligned = Layout::from_size_align(100, 64).unwrap();
        unsafe {
            let before = allocator.alloc(small);
            fill(before, 24, 1);
            assert!(!allocator.gave(before));
            // mimalloc's defaults: the options are the ones meant.
            assert_eq!(mi::mi_option_get(MI_OPTION_PURGE_DELAY), 10);
            assert_eq!(mi::mi_option_get(MI_OPTION_ALLOW_THP), 1);
            // The option after the last reads as 0: the index is the last.
            assert_eq!(mi::mi_option_get(MI_OPTION_ALLOW_THP + 1), 0);
            allocator.use_mimalloc();
            assert_eq!(mi::mi_option_get(MI_OPTION_PURGE_DELAY), NEVER);
            assert_eq!(mi::mi_option_get(MI_OPTION_ALLOW_THP), 0);
            assert!(!allocator.gave(before), "a block glibc gave stays glibc's");
            let after = allocator.alloc(aligned);
            assert_eq!(after as usize % 64, 0, "the alignment is honoured");
            fill(after, 100, 2);
            assert!(allocator.gave(after));
            let zeroed = allocator.alloc_zeroed(aligned);
            assert!(allocator.gave(zeroed));
            assert!(
                std::slice::from_raw_parts(zeroed, 100)
                    .iter()
                    .all(|&b| b == 0)
            );
            allocator.dealloc(zeroed, aligned);

            // Grown where it was given, its bytes kept.
            let before = allocator.realloc(before, small, 4096);
            assert!(!allocator.gave(before));
            assert!(
                std::slice::from_raw_parts(before, 24)
                    .iter()
                    .all(|&b| b == 1)
            );
            let after = allocator.realloc(after, aligned, 1 << 20);
            assert!(allocator.gave(after));
            assert_eq!(after as usize % 64, 0);
            assert!(
                std::slice::from_raw_parts(after, 100)
                    .iter()
                    .all(|&b| b == 2)
            );

            allocator.dealloc(before, Layout::from_size_align(4096, 8).unwrap());
            allocator.dealloc(after, Layout::from_size_align(1 << 20, 64).unwrap());
        }
    }

    #[test]
    fn large_zeroed_blocks_stay_glibcs_after_the_switch() {
        let allocator = DeskAllocator::new();
        allocator.use_mimalloc();
        let large = Layout::from_size_align(LARGE_ZEROED, 8).unwrap();
        let smaller = Layout::from_size_align(LARGE_ZEROED - 8, 8).unwrap();
        unsafe {
            let block = allocator.alloc_zeroed(large);
            assert!(!allocator.gave(block), "a large zeroed block is glibc's");
            let bytes = std::slice::from_raw_parts(block, LARGE_ZEROED);
            assert!(bytes.iter().all(|&b| b == 0));
            fill(block, 16, 3);
            // Grown in glibc, where it is freed too.
            let block = allocator.realloc(block, large, 2 * LARGE_ZEROED);
            assert!(!allocator.gave(block));
            assert!(
                std::slice::from_raw_parts(block, 16)
                    .iter()
                    .all(|&b| b == 3)
            );
            allocator.dealloc(block, Layout::from_size_align(2 * LARGE_ZEROED, 8).unwrap());

            let block = allocator.alloc_zeroed(smaller);
            assert!(allocator.gave(block), "a smaller one is mimalloc's");
            assert!(
                std::slice::from_raw_parts(block, smaller.size())
                    .iter()
                    .all(|&b| b == 0)
            );
            allocator.dealloc(block, smaller);
            let plain = allocator.alloc(large);
            assert!(
                allocator.gave(plain),
                "a large block not zeroed is mimalloc's"
            );
            allocator.dealloc(plain, large);
        }
    }

    #[test]
    fn before_the_switch_nothing_is_asked_of_mimalloc() {
        let allocator = DeskAllocator::new();
        let layout = Layout::from_size_align(64, 8).unwrap();
        // A block mimalloc gave is still not taken for one of its own before the switch: every
        // block then came from glibc.
        let foreign = unsafe { mi::mi_malloc_aligned(64, 8) as *mut u8 };
        assert!(!allocator.gave(foreign));
        unsafe { mi::mi_free(foreign as *mut c_void) };
        let block = unsafe { allocator.alloc(layout) };
        assert!(!unsafe { mi::mi_is_in_heap_region(block as *const c_void) });
        unsafe { allocator.dealloc(block, layout) };
    }
}
