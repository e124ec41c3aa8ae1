//! Parallel fan-out: one job per item on at most `jobs` threads, results in the order
//! of the items. Plain threads: a fan-out of a few hundred ssh processes needs no async
//! runtime, and azlin's start-up stays instant.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Default bound on concurrent jobs of a multi-target `exec` (`--jobs`).
pub const DEFAULT_JOBS: usize = 16;

/// The bound for work that should run on every VM at once (`list`, fleet probes): high
/// enough that a fleet's probes overlap, low enough that the two pipes per ssh stay well
/// inside the usual limit of 1,024 open files.
pub const ALL_AT_ONCE: usize = 128;

/// Runs `job` on every item with at most `jobs` running at once; results keep the order
/// of `items`.
pub fn fan_out<T, R, F>(items: &[T], jobs: usize, job: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let workers = jobs.max(1).min(items.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = job(item);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fan_out_keeps_order_and_bounds_concurrency() {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let items: Vec<u32> = (0..20).collect();
        let out = fan_out(&items, 4, |i| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(5));
            running.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 4);
    }
}
