//! Runs independent work (files, signatures) on every core.
//!
//! Plain `std::thread::scope` workers taking items from a shared counter;
//! results come back in the order of the items, so the outcome never depends
//! on scheduling. When a thread cannot be started the work runs on the
//! calling thread instead.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `items.iter().map(f)`, spread over the available cores, in item order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let work = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(index) else {
            break;
        };
        let result = f(item);
        // A poisoned lock still holds every finished result.
        done.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((index, result));
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            // If a worker cannot start, the others (and this thread) do its share.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// `(main(), side())`, with `side` on another thread while `main` runs on
/// this one when `split` (work too small to be worth a thread is not
/// split); one after the other when no thread can be started.
pub fn both<M, S: Send>(
    split: bool,
    main: impl FnOnce() -> M,
    side: impl Fn() -> S + Sync,
) -> (M, S) {
    if !split {
        let main = main();
        return (main, side());
    }
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new().spawn_scoped(scope, &side);
        let main = main();
        // A helper that panicked is run again here, where the panic shows.
        let side = match helper {
            Ok(helper) => helper.join().unwrap_or_else(|_| side()),
            Err(_) => side(),
        };
        (main, side)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_item_order() {
        let items: Vec<usize> = (0..1000).collect();
        let out = super::map(&items, |i| i * 2);
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |b| *b).is_empty());
    }

    #[test]
    fn both_gives_each_result() {
        for split in [false, true] {
            let data = [1u64, 2, 3];
            let (a, b) = super::both(split, || data.iter().sum::<u64>(), || data.len());
            assert_eq!((a, b), (6, 3));
        }
    }
}
