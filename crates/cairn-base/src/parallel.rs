//! Runs independent work (files, signatures) on every core.
//!
//! Plain `std::thread::scope` workers taking items from a shared counter;
//! results come back in the order of the items, so the outcome never depends
//! on scheduling. When a thread cannot be started the work runs on the
//! calling thread instead.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

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

/// `items.iter().map(first)`, where each item's work may leave follow-up
/// work (`then`), spread over the available cores: for each item, in item
/// order, what `first` gave and what `then` gave for each of its follow-ups,
/// in their order. Items are started before follow-ups, and a follow-up is
/// taken by whichever worker is free, so that the work left by the last
/// items is shared rather than done by the worker that found it.
pub fn map_then<T: Sync, R: Send, U: Send, S: Send>(
    items: &[T],
    first: impl Fn(&T) -> (R, Vec<U>) + Sync,
    then: impl Fn(U) -> S + Sync,
) -> Vec<(R, Vec<S>)> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items
            .iter()
            .map(|item| {
                let (r, follow) = first(item);
                (r, follow.into_iter().map(&then).collect())
            })
            .collect();
    }
    let queue = Mutex::new(Queue {
        next: 0,
        waiting: VecDeque::new(),
        running: 0,
    });
    let ready = Condvar::new();
    let firsts: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let thens: Mutex<Vec<(usize, usize, S)>> = Mutex::new(Vec::new());
    let work = || loop {
        let task = {
            let mut q = lock(&queue);
            loop {
                if q.next < items.len() {
                    q.next += 1;
                    q.running += 1;
                    break Task::First(q.next - 1);
                }
                if let Some((index, k, follow)) = q.waiting.pop_front() {
                    break Task::Then(index, k, follow);
                }
                if q.running == 0 {
                    break Task::Done;
                }
                // An item still running may leave follow-ups.
                q = ready.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
        };
        match task {
            Task::First(index) => {
                // Counted down however `first` ends, so that a panic in one
                // worker never leaves the others waiting.
                let mut running = Running {
                    queue: &queue,
                    ready: &ready,
                    follow: Vec::new(),
                    index,
                };
                let Some(item) = items.get(index) else {
                    continue;
                };
                let (r, follow) = first(item);
                lock(&firsts).push((index, r));
                running.follow = follow;
            }
            Task::Then(index, k, follow) => {
                let s = then(follow);
                lock(&thens).push((index, k, s));
            }
            Task::Done => break,
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            // If a worker cannot start, the others (and this thread) do its share.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
    let mut firsts = firsts.into_inner().unwrap_or_else(PoisonError::into_inner);
    firsts.sort_unstable_by_key(|(index, _)| *index);
    let mut thens = thens.into_inner().unwrap_or_else(PoisonError::into_inner);
    thens.sort_unstable_by_key(|(index, k, _)| (*index, *k));
    let mut thens = thens.into_iter().peekable();
    firsts
        .into_iter()
        .map(|(index, r)| {
            let mut done = Vec::new();
            while let Some((_, _, s)) = thens.next_if(|(i, _, _)| *i == index) {
                done.push(s);
            }
            (r, done)
        })
        .collect()
}

/// The work [`map_then`] hands out: items not started yet, follow-ups left
/// by items (item, place, follow-up), and how many items are running.
struct Queue<U> {
    next: usize,
    waiting: VecDeque<(usize, usize, U)>,
    running: usize,
}

enum Task<U> {
    First(usize),
    Then(usize, usize, U),
    Done,
}

/// An item of [`map_then`] running: when it is dropped (its work done, or
/// a panic), its follow-ups join the queue and the workers waiting for
/// them are woken.
struct Running<'q, U> {
    queue: &'q Mutex<Queue<U>>,
    ready: &'q Condvar,
    follow: Vec<U>,
    index: usize,
}

impl<U> Drop for Running<'_, U> {
    fn drop(&mut self) {
        let mut q = lock(self.queue);
        let index = self.index;
        q.waiting.extend(
            self.follow
                .drain(..)
                .enumerate()
                .map(|(k, u)| (index, k, u)),
        );
        q.running = q.running.saturating_sub(1);
        self.ready.notify_all();
    }
}

/// A lock, poisoned or not: a poisoned one still holds what was finished.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
    /// Follow-ups come back with their item, in order, whichever worker
    /// did them; items without follow-ups and the empty list too.
    #[test]
    fn map_then_keeps_items_and_their_follow_ups_in_order() {
        let items: Vec<usize> = (0..200).collect();
        let out = super::map_then(
            &items,
            |&i| (i * 2, (0..i % 4).map(|k| (i, k)).collect()),
            |(i, k)| i * 10 + k,
        );
        for (i, (r, done)) in out.into_iter().enumerate() {
            assert_eq!(r, i * 2);
            assert_eq!(done, (0..i % 4).map(|k| i * 10 + k).collect::<Vec<_>>());
        }
        let none: Vec<(u8, Vec<u8>)> =
            super::map_then(&[] as &[u8], |b| (*b, Vec::<u8>::new()), |b| b);
        assert!(none.is_empty());
    }

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
