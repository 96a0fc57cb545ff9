//! Raw argon2id throughput of this machine with the configured parameters:
//! the ceiling the login endpoint is measured against.
//!
//! `cargo bench -p backoffice --bench password_hashing` (a `harness = false`
//! bench). It times, on one thread, a hash (`hash_blocking`) and a check
//! (`verify_blocking`, what a login does); then runs one checking thread per
//! core for `BENCH_SECONDS` (default 5) and counts. Each hasher is
//! `PasswordHasher::new(1, 1)`, driven directly on its own OS thread, so no
//! pool, semaphore or scheduler is in the way.
//!
//! The figures end with one line for scripts, always of this shape:
//!
//! ```text
//! BENCH_ARGON2 threads=2 seconds=5.01 total_per_s=123.4 per_core_per_s=61.7 single_hash_ms=16.21 single_verify_ms=16.19
//! ```
//!
//! Environment: `BENCH_SECONDS` (default 5), `BENCH_THREADS` (default: the
//! number of cores).

use backoffice::auth::password::{PasswordHasher, LANES, MEMORY_KIB, PASSES};
use secrecy::SecretString;
use std::time::{Duration, Instant};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const PASSWORD: &str = "correct horse battery staple";

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// Runs `work` on this thread until `at_least` has passed (and at least
/// `min_runs` times); returns the mean milliseconds per run.
fn time_single(
    at_least: Duration,
    min_runs: u32,
    mut work: impl FnMut() -> Result<(), Failure>,
) -> Result<f64, Failure> {
    work()?; // warm up: first-touch of the allocator, code paths
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < min_runs || start.elapsed() < at_least {
        work()?;
        runs += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs))
}

/// One thread's result: checks completed and the time they took.
struct ThreadResult {
    count: u64,
    elapsed: Duration,
}

fn main() -> Result<(), Failure> {
    // `cargo bench` passes `--bench` (and any filter); nothing to read there.
    let seconds: f64 = env_number("BENCH_SECONDS").unwrap_or(5.0_f64).max(0.5);
    let threads: usize = env_number("BENCH_THREADS")
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);

    let hasher = PasswordHasher::new(1, 1)?;
    let password = SecretString::from(PASSWORD.to_owned());
    let stored = hasher.hash_blocking(&password)?;

    println!(
        "argon2id m={MEMORY_KIB} KiB, t={PASSES}, p={LANES} ({})",
        stored.split('$').take(4).collect::<Vec<_>>().join("$")
    );

    let single_hash_ms = time_single(Duration::from_millis(1000), 10, || {
        hasher.hash_blocking(&password)?;
        Ok(())
    })?;
    let single_verify_ms = time_single(Duration::from_millis(1000), 10, || {
        if hasher.verify_blocking(Some(&stored), &password) {
            Ok(())
        } else {
            Err("verify_blocking refused the right password".into())
        }
    })?;
    println!("single thread: hash {single_hash_ms:.2} ms, verify {single_verify_ms:.2} ms");

    // All cores: one OS thread per core, each with its own hasher, each
    // verifying the right password (what a successful login costs) until
    // the deadline.
    let duration = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let deadline = start + duration;
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let stored = stored.clone();
            std::thread::spawn(move || -> Result<ThreadResult, String> {
                let hasher = PasswordHasher::new(1, 1).map_err(|e| e.to_string())?;
                let password = SecretString::from(PASSWORD.to_owned());
                let begun = Instant::now();
                let mut count = 0u64;
                while Instant::now() < deadline {
                    if !hasher.verify_blocking(Some(&stored), &password) {
                        return Err("verify_blocking refused the right password".to_owned());
                    }
                    count += 1;
                }
                Ok(ThreadResult {
                    count,
                    elapsed: begun.elapsed(),
                })
            })
        })
        .collect();
    let mut results = Vec::with_capacity(threads);
    for handle in handles {
        let result = handle
            .join()
            .map_err(|_| "a hashing thread panicked")?
            .map_err(Failure::from)?;
        results.push(result);
    }
    let wall = start.elapsed().as_secs_f64();

    let rates: Vec<f64> = results
        .iter()
        .map(|r| r.count as f64 / r.elapsed.as_secs_f64())
        .collect();
    let total: f64 = rates.iter().sum();
    let per_core = total / threads as f64;
    let count: u64 = results.iter().map(|r| r.count).sum();
    for (i, rate) in rates.iter().enumerate() {
        println!("thread {i}: {rate:.1} verifications/s");
    }
    println!(
        "{threads} threads, {wall:.2} s, {count} verifications: {total:.1}/s in total, {per_core:.1}/s per core"
    );
    println!(
        "BENCH_ARGON2 threads={threads} seconds={wall:.2} total_per_s={total:.1} \
         per_core_per_s={per_core:.1} single_hash_ms={single_hash_ms:.2} \
         single_verify_ms={single_verify_ms:.2}"
    );
    Ok(())
}
