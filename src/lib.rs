//! zhuqi (助企): the Wednesday enterprise service desk.

pub mod allocator;
pub mod cli;
pub mod desk;
pub mod domain;
pub mod hub;
pub mod ids;
pub mod io;
pub mod remote;
pub mod search;
pub mod store;
pub mod strings;
pub mod text;
pub mod tui;
