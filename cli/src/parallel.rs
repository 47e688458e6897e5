//! Independent jobs on every core: the workspace componentizes its guests
//! and composes its compositions this way.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::source::PARSER_STACK;

/// `f` applied to every item, on up to as many threads as the machine has
/// cores, results in the order of `items`. One item, or one core, runs on
/// the calling thread. Each thread takes the next item not yet taken, so a
/// long job does not hold up the short ones behind it. The threads started
/// have the stack that parsing needs ([`PARSER_STACK`]).
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                // A thread that cannot start leaves its share to the others.
                std::thread::Builder::new()
                    .stack_size(PARSER_STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mine = work();
        for (index, result) in helpers
            .into_iter()
            .flat_map(|helper| match helper.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .chain(mine)
        {
            results[index] = Some(result);
        }
    });
    results
        .into_iter()
        .map(|r| r.expect("every item was taken by one thread"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_whatever_thread_ran_them() {
        let items: Vec<u64> = (0..200).collect();
        // Uneven jobs, so that threads finish out of order.
        let squares = map(&items, |n| {
            if n % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert_eq!(map(&[] as &[u64], |n| *n), Vec::<u64>::new());
        assert_eq!(map(&[3u64], |n| n + 1), vec![4]);
    }

    #[test]
    fn a_panicking_job_panics_the_caller() {
        let items: Vec<u32> = (0..8).collect();
        let caught = std::panic::catch_unwind(|| {
            map(&items, |n| {
                assert_ne!(*n, 5, "job five fails");
                *n
            })
        });
        assert!(caught.is_err());
    }
}
