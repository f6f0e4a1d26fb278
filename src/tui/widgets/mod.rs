//! Widgets the screens are built from.

pub mod form;
pub mod text_field;
