//! Test-only hook, compiled into debug builds alone: lets a crash test kill the process while a
//! write transaction is half done, instead of hoping a random kill lands there.
//!
//! `PAPERBOY_TEST_PAUSE_STORE=N:K:FILE`: the first transaction storing entries, from this
//! process's N-th on (counting from 1), that writes a K-th entry stops right after it (before the
//! commit), creates FILE and sleeps until it is killed.
//!
//! `PAPERBOY_TEST_PAUSE_UNQUEUE=FILE`: the first removal of pushed changes from the sync queue
//! (after the server's OK, before the queue changes) creates FILE and sleeps until killed.

#[cfg(debug_assertions)]
mod imp {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn target() -> Option<&'static (usize, usize, String)> {
        static T: OnceLock<Option<(usize, usize, String)>> = OnceLock::new();
        T.get_or_init(|| {
            let v = std::env::var("PAPERBOY_TEST_PAUSE_STORE").ok()?;
            let mut it = v.splitn(3, ':');
            let n = it.next()?.parse().ok()?;
            let k = it.next()?.parse().ok()?;
            Some((n, k, it.next()?.to_string()))
        })
        .as_ref()
    }

    /// Called when a transaction starts storing entries: whether it is one that may pause.
    pub fn armed() -> bool {
        let call = CALLS.fetch_add(1, Ordering::SeqCst) + 1;
        target().is_some_and(|(n, _, _)| call >= *n)
    }

    /// Called after the `written`-th entry of an armed transaction.
    pub fn after_entry(written: usize) {
        if let Some((_, k, file)) = target() {
            if written == *k {
                let _ = std::fs::write(file, b"paused\n");
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(3600));
                }
            }
        }
    }

    /// Called before pushed changes leave the sync queue.
    pub fn before_unqueue() {
        if let Ok(file) = std::env::var("PAPERBOY_TEST_PAUSE_UNQUEUE") {
            let _ = std::fs::write(file, b"paused\n");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
    }
}

#[cfg(not(debug_assertions))]
mod imp {
    pub fn before_unqueue() {}
    pub fn armed() -> bool {
        false
    }
    pub fn after_entry(_written: usize) {}
}

pub(crate) use imp::{after_entry, armed, before_unqueue};
