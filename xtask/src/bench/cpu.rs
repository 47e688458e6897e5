//! CPU time, beside wall-clock time: of the child processes the bench
//! waits for (`getrusage`), and of the measuring thread
//! (`CLOCK_THREAD_CPUTIME_ID`). Other work on the machine stretches
//! wall-clock times but hardly CPU times, and a wall-clock time well above
//! the CPU time means waiting (on the disk, say) rather than working.

use std::time::Duration;

use super::stats::Stats;

/// Summarises the CPU times recorded during a measurement, leaving out
/// the warm-ups; `None` when any run has none.
pub fn cpu_stats(cpu: &[Option<Duration>], warmups: usize) -> Option<Stats> {
    let timed: Option<Vec<Duration>> = cpu.iter().skip(warmups).copied().collect();
    Stats::from_samples(&timed?, 1)
}

/// CPU time (user + system) of every child process reaped so far.
#[cfg(unix)]
pub fn children_cpu() -> Option<Duration> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `getrusage` fills the `rusage` it is pointed at, which is
    // zero-initialised and of the right type; it is read only on success.
    let usage = unsafe {
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return None;
        }
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).ok()?)
            .checked_add(Duration::from_micros(u64::try_from(t.tv_usec).ok()?))
    };
    Some(time(usage.ru_utime)? + time(usage.ru_stime)?)
}

#[cfg(not(unix))]
pub fn children_cpu() -> Option<Duration> {
    None
}

/// CPU time of the calling thread so far.
#[cfg(unix)]
pub fn thread_cpu() -> Option<Duration> {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` to the pointer it is
    // given, which points at a live, initialised one.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut time) } != 0 {
        return None;
    }
    Duration::from_secs(u64::try_from(time.tv_sec).ok()?)
        .checked_add(Duration::from_nanos(u64::try_from(time.tv_nsec).ok()?))
}

#[cfg(not(unix))]
pub fn thread_cpu() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_ups_are_left_out_of_the_cpu_figures() {
        let ms = Duration::from_millis;
        let stats = cpu_stats(&[Some(ms(100)), Some(ms(2)), Some(ms(4))], 1).unwrap();
        assert_eq!((stats.runs, stats.median), (2, ms(3)));
        assert_eq!(cpu_stats(&[Some(ms(1)), None], 0), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_thread_cpu_clock_advances_with_work() {
        let before = thread_cpu().unwrap();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(thread_cpu().unwrap() > before, "{x}");
    }
}
