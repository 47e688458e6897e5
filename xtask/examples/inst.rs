use wcompose::run::{Cache, Runner, RunnerOptions};
fn main() {
    let bytes = std::fs::read("/work/main/target/wcompose/seed.wasm").unwrap();
    let runner = Runner::new(
        &bytes,
        RunnerOptions {
            cache: Some(Cache::new("/tmp/instcache")),
            ..Default::default()
        },
    )
    .unwrap();
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(1000);
    for _ in 0..50 {
        drop(runner.instantiate().unwrap());
    }
    let t = std::time::Instant::now();
    for _ in 0..n {
        drop(runner.instantiate().unwrap());
    }
    eprintln!("{:.2} us", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}
