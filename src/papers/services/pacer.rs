//! Request pacing per service: one request in flight, and a minimum gap between two starts.
//!
//! Pacers are shared by every caller in the process (the reader opens a worker per look-up),
//! one per service base URL, so two look-ups running at once still queue behind each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, MutexGuard};
use tokio::time::Instant;

/// One service's pace: the lock is held for a whole request (one in flight); it remembers
/// when the last request started.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    last: AsyncMutex<Option<Instant>>,
}

/// Held while a request runs; dropping it lets the next request wait its turn.
pub struct Turn<'a>(#[allow(dead_code)] MutexGuard<'a, Option<Instant>>);

impl Pacer {
    pub fn new(gap: Duration) -> Pacer {
        Pacer {
            gap,
            last: AsyncMutex::new(None),
        }
    }

    pub fn gap(&self) -> Duration {
        self.gap
    }

    /// Waits until no request is in flight and `gap` has passed since the last one started.
    pub async fn turn(&self) -> Turn<'_> {
        let mut last = self.last.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until(at + self.gap).await;
        }
        *last = Some(Instant::now());
        Turn(last)
    }
}

type Registry = Mutex<HashMap<(String, Duration), Arc<Pacer>>>;

/// The process-wide pacer for `base` with `gap` (a new gap is a new pacer: a config change).
pub fn shared(base: &str, gap: Duration) -> Arc<Pacer> {
    static PACERS: OnceLock<Registry> = OnceLock::new();
    let registry = PACERS.get_or_init(Registry::default);
    // A poisoned registry only means another thread panicked while inserting: its map is
    // still valid.
    let mut map = registry.lock().unwrap_or_else(|p| p.into_inner());
    map.entry((base.to_string(), gap))
        .or_insert_with(|| Arc::new(Pacer::new(gap)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_spaced_and_one_at_a_time() {
        let gap = Duration::from_millis(150);
        let pacer = Arc::new(Pacer::new(gap));
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _turn = pacer.turn().await;
            starts.push(Instant::now());
        }
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= gap, "{:?}", pair[1] - pair[0]);
        }
        // While a turn is held, nobody else gets one, however long the gap has passed.
        let held = pacer.turn().await;
        let other = pacer.clone();
        let waiter = tokio::spawn(async move {
            let _t = other.turn().await;
            Instant::now()
        });
        tokio::time::sleep(gap * 3).await;
        let released = Instant::now();
        drop(held);
        assert!(waiter.await.unwrap() >= released);
    }

    #[test]
    fn pacers_are_shared_per_base_and_gap() {
        let a = shared("http://127.0.0.1:1/x", Duration::from_secs(3));
        let b = shared("http://127.0.0.1:1/x", Duration::from_secs(3));
        let c = shared("http://127.0.0.1:2/x", Duration::from_secs(3));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }
}
