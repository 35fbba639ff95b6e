//! Panics that belong to a library we call, not to this program.
//!
//! sled 0.34's recovery panics on some damaged logs. [`catch_quietly`] runs
//! such a call, turns its panic into an error the caller reports (a corrupt
//! store, exit code 4), and keeps the panic's own message and backtrace off
//! the operator's terminal. The hook that stays quiet is installed once by
//! `main` ([`install_hook`]); every other panic prints as usual.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// Set while this thread runs a call whose panics are caught and reported.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the current panic hook so that panics inside [`catch_quietly`]
/// print nothing. Call once, at start-up.
pub fn install_hook() {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !QUIET.with(Cell::get) {
            previous(info);
        }
    }));
}

/// Runs `f`; a panic inside it becomes `Err` with the panic's message.
pub fn catch_quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let r: Result<(), String> = catch_quietly(|| panic!("tried to serialize Uninitialized"));
        assert_eq!(r, Err("tried to serialize Uninitialized".to_string()));
        assert_eq!(catch_quietly(|| 7), Ok(7));
        assert!(!QUIET.with(Cell::get));
    }
}
