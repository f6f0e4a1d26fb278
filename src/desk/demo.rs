//! The demo story (filled in below).
