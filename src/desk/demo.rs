//! The demo story.

use super::{Desk, DeskError};

pub fn load(_desk: &mut Desk) -> Result<usize, DeskError> {
    Ok(0)
}
