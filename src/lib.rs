//! zhuqi (助企): the Wednesday enterprise service desk.

pub mod domain;
