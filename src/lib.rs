//! zhuqi (助企): the Wednesday enterprise service desk.

pub mod desk;
pub mod domain;
pub mod store;
