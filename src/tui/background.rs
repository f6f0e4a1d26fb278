//! Work a screen hands to another thread (the board and the figures of a million appeals take
//! seconds), taken in between keystrokes so that the desk never stops answering keys.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::desk::DeskError;

pub struct Background<T> {
    result: Receiver<Result<T, DeskError>>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts `work` on its own thread.
    pub fn start(
        what: &str,
        work: impl FnOnce() -> Result<T, DeskError> + Send + 'static,
    ) -> Result<Background<T>, DeskError> {
        let (send, result) = channel();
        std::thread::Builder::new()
            .name(what.to_string())
            .spawn(move || {
                // Nobody waits any more when the screen has started the work again.
                let _ = send.send(work());
            })
            .map_err(|e| {
                tracing::error!("cannot start {what}: {e}");
                DeskError::Background(what.to_string())
            })?;
        Ok(Background { result })
    }

    /// The result of the work in `slot`, once there is one; the slot is emptied then.
    pub fn take_from(slot: &mut Option<Background<T>>) -> Option<Result<T, DeskError>> {
        let result = slot.as_ref().and_then(Background::take)?;
        *slot = None;
        Some(result)
    }

    /// The result, once there is one.
    pub fn take(&self) -> Option<Result<T, DeskError>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err(DeskError::Background("work that stopped short".into())))
            }
        }
    }

    /// Waits for the result (tests).
    pub fn wait(self) -> Result<T, DeskError> {
        self.result
            .recv()
            .map_err(|_| DeskError::Background("work that stopped short".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_or_the_refusal_comes_back() -> Result<(), DeskError> {
        let job = Background::start("test", || Ok(6 * 7))?;
        assert_eq!(job.wait()?, 42);
        let failing: Background<u32> = Background::start("test", || Err(DeskError::ListUnread))?;
        assert!(matches!(failing.wait(), Err(DeskError::ListUnread)));
        Ok(())
    }
}
