//! Request pacing per service: one request in flight, and a minimum gap from the end of one
//! request to the start of the next (stricter than between starts: a slow answer never lets
//! two requests reach the server closer than the gap).
//!
//! Pacers are shared by every caller in the process (the reader opens a worker per look-up),
//! one per service base URL, so two look-ups running at once still queue behind each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, MutexGuard};
use tokio::time::Instant;

/// One service's pace: the lock is held for a whole request (one in flight); it remembers
/// when the last request ended.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    last: AsyncMutex<Option<Instant>>,
}

/// Held while a request runs; dropping it marks the request's end and lets the next one
/// wait its turn.
pub struct Turn<'a>(MutexGuard<'a, Option<Instant>>);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.0 = Some(Instant::now());
    }
}

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

    /// Waits until no request is in flight and `gap` has passed since the last one ended.
    pub async fn turn(&self) -> Turn<'_> {
        let last = self.last.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until(at + self.gap).await;
        }
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
        let mut spans = Vec::new();
        for _ in 0..3 {
            let turn = pacer.turn().await;
            let start = Instant::now();
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(turn);
            spans.push((start, Instant::now()));
        }
        for pair in spans.windows(2) {
            let (ended, next) = (pair[0].1, pair[1].0);
            assert!(next - ended >= gap, "{:?}", next - ended);
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
