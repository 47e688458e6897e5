//! Samples and their summary (min, median, max), and the sampling plans
//! that decide how many warm-ups and runs a measurement gets.
//!
//! A measurement is warm-ups whose times are thrown away, then runs until
//! both a minimum count and a time budget are reached, or a maximum count
//! is. Work shorter than a millisecond is timed in batches, so that the
//! clock's resolution and the loop around it do not show in the figure.

use std::time::{Duration, Instant};

/// The summary of a measurement's samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// The fastest sample.
    pub min: Duration,
    /// The middle sample (the mean of the two middle ones for an even
    /// count).
    pub median: Duration,
    /// The slowest sample.
    pub max: Duration,
    /// How many samples there were.
    pub runs: usize,
    /// How many iterations each sample timed (1 for whole processes).
    pub batch: u64,
}

impl Stats {
    /// Summarises samples; `None` when there are none.
    pub fn from_samples(samples: &[Duration], batch: u64) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Some(Stats {
            min: *sorted.first()?,
            median: median(&sorted)?,
            max: *sorted.last()?,
            runs: sorted.len(),
            batch,
        })
    }
}

/// The median of sorted samples: the middle one, or the mean of the two
/// middle ones; `None` for no samples.
pub fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        Some(sorted[n / 2])
    } else {
        Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2)
    }
}

/// How much a measurement samples.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Untimed runs first: caches, page cache, branch predictors.
    pub warmups: usize,
    /// At least this many timed samples.
    pub min_runs: usize,
    /// At most this many timed samples.
    pub max_runs: usize,
    /// Keep sampling (up to `max_runs`) until this much time has passed.
    pub budget: Duration,
}

impl Plan {
    /// Whole processes in a full run: 3 warm-ups, then runs until 3 s or
    /// 40 runs (at least 10).
    pub const PROCESS: Plan = Plan {
        warmups: 3,
        min_runs: 10,
        max_runs: 40,
        budget: Duration::from_secs(3),
    };
    /// Whole processes in a quick run.
    pub const PROCESS_QUICK: Plan = Plan {
        warmups: 1,
        min_runs: 3,
        max_runs: 10,
        budget: Duration::from_millis(400),
    };
    /// Library calls in a full run (a sample is a batch of calls).
    pub const IN_PROCESS: Plan = Plan {
        warmups: 3,
        min_runs: 15,
        max_runs: 60,
        budget: Duration::from_secs(2),
    };
    /// Library calls in a quick run.
    pub const IN_PROCESS_QUICK: Plan = Plan {
        warmups: 1,
        min_runs: 5,
        max_runs: 20,
        budget: Duration::from_millis(200),
    };

    /// Samples `run`, which does the work once and returns how long the
    /// part worth timing took.
    pub fn sample<E>(&self, mut run: impl FnMut() -> Result<Duration, E>) -> Result<Stats, E> {
        for _ in 0..self.warmups {
            run()?;
        }
        let start = Instant::now();
        let mut samples = Vec::new();
        while samples.len() < self.max_runs.max(1)
            && (samples.len() < self.min_runs.max(1) || start.elapsed() < self.budget)
        {
            samples.push(run()?);
        }
        Ok(Stats::from_samples(&samples, 1).expect("at least one sample is taken"))
    }

    /// Samples two runs that are compared with each other, alternating
    /// them so that a slow spell of the machine (another process, a
    /// thermal dip) weighs on both alike. The budget is for the pair.
    pub fn sample_pair<E>(
        &self,
        mut a: impl FnMut() -> Result<Duration, E>,
        mut b: impl FnMut() -> Result<Duration, E>,
    ) -> Result<(Stats, Stats), E> {
        for _ in 0..self.warmups {
            a()?;
            b()?;
        }
        let start = Instant::now();
        let (mut samples_a, mut samples_b) = (Vec::new(), Vec::new());
        while samples_a.len() < self.max_runs.max(1)
            && (samples_a.len() < self.min_runs.max(1) || start.elapsed() < self.budget * 2)
        {
            samples_a.push(a()?);
            samples_b.push(b()?);
        }
        let summary = |samples: &[Duration]| {
            Stats::from_samples(samples, 1).expect("at least one sample is taken")
        };
        Ok((summary(&samples_a), summary(&samples_b)))
    }

    /// Samples `iteration` per call: each sample times a batch of calls,
    /// sized so that a batch takes about `batch_time`, and counts as the
    /// batch's time divided by its size.
    pub fn per_iteration<E>(
        &self,
        batch_time: Duration,
        mut iteration: impl FnMut() -> Result<(), E>,
    ) -> Result<Stats, E> {
        let batch = calibrate(batch_time, &mut iteration)?;
        for _ in 0..self.warmups {
            time_batch(batch, &mut iteration)?;
        }
        let start = Instant::now();
        let mut samples = Vec::new();
        while samples.len() < self.max_runs.max(1)
            && (samples.len() < self.min_runs.max(1) || start.elapsed() < self.budget)
        {
            let elapsed = time_batch(batch, &mut iteration)?;
            samples.push(per_call(elapsed, batch));
        }
        Ok(Stats::from_samples(&samples, batch).expect("at least one sample is taken"))
    }
}

/// The batch size whose time reaches `target`, found by doubling.
fn calibrate<E>(target: Duration, iteration: &mut impl FnMut() -> Result<(), E>) -> Result<u64, E> {
    let mut batch = 1u64;
    loop {
        let elapsed = time_batch(batch, iteration)?;
        if elapsed >= target || batch >= 1 << 24 {
            return Ok(batch);
        }
        // Jump close to the target once the estimate is meaningful.
        if elapsed >= Duration::from_micros(100) {
            let scale = target.as_secs_f64() / elapsed.as_secs_f64();
            return Ok(((batch as f64) * scale).ceil().max(1.0) as u64);
        }
        batch *= 2;
    }
}

fn time_batch<E>(batch: u64, iteration: &mut impl FnMut() -> Result<(), E>) -> Result<Duration, E> {
    let start = Instant::now();
    for _ in 0..batch {
        iteration()?;
    }
    Ok(start.elapsed())
}

/// A batch's time divided among its calls.
pub fn per_call(elapsed: Duration, batch: u64) -> Duration {
    Duration::from_secs_f64(elapsed.as_secs_f64() / batch.max(1) as f64)
}

/// A duration in the unit that suits it: `420 ns`, `12.3 µs`, `4.56 ms`,
/// `1.23 s`.
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns < 1_000.0 {
        format!("{ns:.0} ns")
    } else if ns < 1_000_000.0 {
        format!("{} µs", three_figures(ns / 1e3))
    } else if ns < 1_000_000_000.0 {
        format!("{} ms", three_figures(ns / 1e6))
    } else {
        format!("{} s", three_figures(ns / 1e9))
    }
}

/// A number with three significant figures (for 1 ≤ x < 1000).
fn three_figures(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.2}")
    } else if x < 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn the_median_of_an_odd_count_is_the_middle_sample() {
        let stats = Stats::from_samples(&[ms(9), ms(1), ms(5)], 1).unwrap();
        assert_eq!(stats.median, ms(5));
        assert_eq!(stats.min, ms(1));
        assert_eq!(stats.max, ms(9));
        assert_eq!(stats.runs, 3);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let stats = Stats::from_samples(&[ms(8), ms(2), ms(4), ms(100)], 1).unwrap();
        assert_eq!(stats.median, ms(6));
    }

    #[test]
    fn no_samples_have_no_summary() {
        assert_eq!(Stats::from_samples(&[], 1), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn a_plan_takes_at_least_its_minimum_and_at_most_its_maximum() {
        let plan = Plan {
            warmups: 2,
            min_runs: 4,
            max_runs: 6,
            budget: Duration::from_secs(3600),
        };
        let mut calls = 0;
        let stats = plan
            .sample(|| {
                calls += 1;
                Ok::<_, ()>(ms(1))
            })
            .unwrap();
        assert_eq!(stats.runs, 6);
        assert_eq!(calls, 8);

        let plan = Plan {
            budget: Duration::ZERO,
            ..plan
        };
        let stats = plan.sample(|| Ok::<_, ()>(ms(1))).unwrap();
        assert_eq!(stats.runs, 4);
    }

    #[test]
    fn a_failed_run_stops_the_measurement() {
        let plan = Plan::PROCESS_QUICK;
        let result = plan.sample(|| Err::<Duration, _>("boom"));
        assert_eq!(result, Err("boom"));
    }

    #[test]
    fn per_iteration_samples_count_whole_batches() {
        let plan = Plan {
            warmups: 0,
            min_runs: 3,
            max_runs: 3,
            budget: Duration::ZERO,
        };
        let mut calls = 0u64;
        let stats = plan
            .per_iteration(Duration::ZERO, || {
                calls += 1;
                Ok::<_, ()>(())
            })
            .unwrap();
        assert_eq!(stats.batch, 1);
        // One calibration batch, then three samples.
        assert_eq!(calls, 4);
    }

    #[test]
    fn durations_are_shown_in_a_fitting_unit() {
        assert_eq!(format_duration(Duration::from_nanos(420)), "420 ns");
        assert_eq!(format_duration(Duration::from_nanos(12_345)), "12.3 µs");
        assert_eq!(format_duration(Duration::from_micros(4_560)), "4.56 ms");
        assert_eq!(format_duration(Duration::from_millis(123)), "123 ms");
        assert_eq!(format_duration(Duration::from_millis(1_230)), "1.23 s");
    }
}
