//! The desk's binary is linked at a fixed address (not position-independent) on Linux with glibc.
//!
//! Why: every command is a process of its own, and a durable step is one. Position-independent,
//! the binary's 44,000 pointers in its read-only data (vtables, format strings, panic locations)
//! were relocated at each start, writing (and so copying) every one of its 320 pages: about a
//! third of `zhuqi --version` (1.9 → 1.4 ms) and half a millisecond of every step (BENCHMARKS.md,
//! thirteenth round). What this gives up: the binary's own code and data at a random address.
//! Its libraries, heap, stacks and maps are still placed at random.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
