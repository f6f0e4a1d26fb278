use std::process::ExitCode;

use clap::Parser;
use zhuqi::allocator::DeskAllocator;

#[global_allocator]
static ALLOCATOR: DeskAllocator = DeskAllocator::new();

fn main() -> ExitCode {
    let cli = zhuqi::cli::Cli::parse();
    let bulk = cli.writes_in_bulk();
    // No thread has allocated yet: glibc settles how many arenas there are when one first does.
    limit_malloc_arenas(if bulk { BULK_ARENAS } else { ARENAS });
    if bulk {
        // Before the bulk write's threads start (see `zhuqi::allocator`).
        ALLOCATOR.use_mimalloc();
    }
    zhuqi::cli::main_with(cli)
}

/// glibc gives each thread that allocates at the same time as another an arena of its own, and
/// memory freed in one is not used by the others: the desk's two list readers left about 30 MB so
/// at a million appeals, and sled's writer threads as much in an import. Two arenas are as quick
/// here (measured) and hold less.
const ARENAS: i32 = 2;

/// An import's reader, planner and committer allocate and free all the time, beside sled's
/// threads and the journal's sealers: sharing two arenas, they waited on each other's locks (an
/// import of 100k 6.6–7.2 s; 4.8–4.9 s with an arena each, BENCHMARKS.md, tenth round). Their
/// own blocks now come from mimalloc; zstd's still come from glibc.
const BULK_ARENAS: i32 = 8;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas(arenas: i32) {
    const M_ARENA_MAX: i32 = -8;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: `mallopt` only sets one of glibc's allocator settings; any value is safe to pass,
    // and it is called before any thread is started.
    unsafe {
        mallopt(M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas(_: i32) {}
