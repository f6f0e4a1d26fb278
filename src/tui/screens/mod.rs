//! The screens of the desk; each keeps its own state and draws itself.

pub mod action;
pub mod board;
pub mod detail;
pub mod figures;
pub mod list;
pub mod meeting;
pub mod records;
pub mod welcome;
