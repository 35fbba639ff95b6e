//! Drops large values on a thread of their own. Freeing a national post's
//! views (a million entries' worth of lists and strings) takes tens of
//! milliseconds (`cargo bench -p liandong-protocol --bench fold`: 7 ms of
//! a 41 ms pass at 100,000 entries), which a console request should not
//! wait for, nor hold a lock through.

use std::sync::mpsc::{self, Sender};
use std::sync::{Mutex, OnceLock};

type Garbage = Box<dyn Send>;

/// Drops `value` on the dropping thread; here, if that thread cannot be
/// had.
pub fn later<T: Send + 'static>(value: T) {
    let value: Garbage = Box::new(value);
    let Some(tx) = sender() else {
        return drop(value);
    };
    let tx = tx.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(mpsc::SendError(value)) = tx.send(value) {
        drop(value);
    }
}

fn sender() -> Option<&'static Mutex<Sender<Garbage>>> {
    static SENDER: OnceLock<Option<Mutex<Sender<Garbage>>>> = OnceLock::new();
    SENDER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Garbage>();
            std::thread::Builder::new()
                .name("liandong-drop".into())
                .spawn(move || rx.into_iter().for_each(drop))
                .inspect_err(
                    |e| tracing::warn!(error = %e, "no dropping thread; dropping in place"),
                )
                .ok()
                .map(|_| Mutex::new(tx))
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    /// Whatever is handed over is dropped, on another thread.
    #[test]
    fn a_value_handed_over_is_dropped_elsewhere() {
        struct Noted(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Noted {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = Arc::new(());
        super::later((Arc::clone(&shared), Noted(tx)));
        let dropped_on = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("dropped");
        assert_ne!(dropped_on, std::thread::current().id());
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
