use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    limit_malloc_arenas();
    zhuqi::cli::main_with(zhuqi::cli::Cli::parse())
}

/// glibc gives each thread that allocates at the same time as another an arena of its own, and
/// memory freed in one is not used by the others: the desk's two list readers left about 30 MB so
/// at a million appeals, and sled's writer threads as much in an import. Two arenas are as quick
/// here (measured) and hold less.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    const M_ARENA_MAX: i32 = -8;
    unsafe extern "C" {
        fn mallopt(param: i32, value: i32) -> i32;
    }
    // SAFETY: `mallopt` only sets one of glibc's allocator settings; any value is safe to pass,
    // and it is called before any thread is started.
    unsafe {
        mallopt(M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
