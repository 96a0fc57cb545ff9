//! Password hashing with argon2id, in one place: the parameters, the dummy
//! hash that unknown usernames are checked against (so they cost the same
//! time), and the hashing pool: one long-lived thread per core, fed by a
//! queue, so at most one hash per core runs, the rest wait, and memory stays
//! flat under load. (Dedicated threads keep the cores busy: a semaphore in
//! front of the shared blocking pool lost about a tenth of each core to the
//! hand-off, see BENCHMARKS.md.) A job may leave work for its thread's next
//! idle moment ([`when_idle`]), to share it with the jobs queued behind.

use argon2_rust::params::Memory;
use argon2_rust::{Algorithm, Argon2, Hasher, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::cell::RefCell;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// OWASP's first recommendation for argon2id: 19 MiB, two passes, one lane.
pub const MEMORY_KIB: u64 = 19_456;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

/// Stored hashes are refused above these costs before any memory is taken,
/// so a tampered row cannot make the server allocate gigabytes.
const CEILING_MEMORY_KIB: u64 = 256 * 1024;
const CEILING_PASSES: u32 = 16;
const CEILING_LANES: u32 = 8;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0:?}")]
    Argon2(argon2_rust::Error),
    #[error("the hashing task failed: {0}")]
    Task(String),
}

type Job = Box<dyn FnOnce() + Send>;

thread_local! {
    /// Each thread that hashes keeps its 19 MiB arena between hashes, so a
    /// sign-in does not map, fault in and unmap it again.
    static ARENA: RefCell<Option<Hasher>> = const { RefCell::new(None) };
}

/// Runs `work` with this thread's arena for `argon2`.
fn with_arena<T>(argon2: &Argon2, work: impl FnOnce(&mut Hasher) -> T) -> T {
    ARENA.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => work(slot.get_or_insert_with(|| argon2.hasher())),
        Err(_) => work(&mut argon2.hasher()),
    })
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon2: Argon2,
    ceiling: Params,
    dummy_hash: Arc<str>,
    /// The queue of the hashing threads; they stop when the last clone of
    /// this hasher is dropped.
    jobs: mpsc::Sender<Job>,
}

/// Starts `threads` hashing threads that take jobs from one queue.
fn start_hashing_threads(threads: usize) -> Result<mpsc::Sender<Job>, HashError> {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    for index in 0..threads.max(1) {
        let receiver = Arc::clone(&receiver);
        std::thread::Builder::new()
            .name(format!("argon2-{index}"))
            .spawn(move || {
                while let Some(job) = next_job(&receiver) {
                    // A job that panics loses its answer (its caller gets
                    // an error), not the thread: sign-ins run here whole.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
                run_idle_work();
            })
            .map_err(|e| HashError::Task(e.to_string()))?;
    }
    Ok(sender)
}

/// The next job for this hashing thread. With work left for an idle
/// moment ([`when_idle`]), it takes only a job already waiting; if there is
/// none, or another thread holds the queue (waiting for one), the idle work
/// runs first. Then the thread sleeps until a job comes. `None` when the
/// hasher is gone.
fn next_job(receiver: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
    if IDLE_WORK.with(|idle| !idle.borrow().is_empty()) {
        let waiting = match receiver.try_lock() {
            Ok(queue) => queue.try_recv().ok(),
            Err(_) => None,
        };
        if waiting.is_some() {
            return waiting;
        }
        run_idle_work();
    }
    receiver.lock().ok()?.recv().ok()
}

thread_local! {
    /// What jobs on this hashing thread left for its next idle moment.
    static IDLE_WORK: RefCell<Vec<Box<dyn FnOnce()>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` on this hashing thread as soon as no job is waiting for it
/// (before it sleeps), or when the hasher stops. A job uses this to finish
/// later what it may share with the jobs queued behind it: sign-ins write
/// together (`routes::auth::sign_in_writes`). Call it from a job only: on
/// any other thread `work` never runs.
pub fn when_idle(work: impl FnOnce() + 'static) {
    IDLE_WORK.with(|idle| idle.borrow_mut().push(Box::new(work)));
}

fn run_idle_work() {
    while let Some(work) = IDLE_WORK.with(|idle| idle.borrow_mut().pop()) {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    }
}

/// Where a job run by [`PasswordHasher::run_with_reply`] sends its answer:
/// at once, or later on the same thread. Dropping it unanswered fails the
/// caller with [`HashError::Task`].
pub struct Reply<T>(tokio::sync::oneshot::Sender<T>);

impl<T> Reply<T> {
    pub fn send(self, answer: T) {
        // The caller may have given up (its request was cancelled).
        let _ = self.0.send(answer);
    }
}

impl PasswordHasher {
    /// A hasher with `concurrency` hashing threads: at most that many hashes
    /// run at once.
    pub fn new(concurrency: usize) -> Result<Self, HashError> {
        let params = Params::builder()
            .memory(Memory::kib(MEMORY_KIB))
            .passes(PASSES)
            .lanes(LANES)
            .build()
            .map_err(HashError::Argon2)?;
        let ceiling = Params::builder()
            .memory(Memory::kib(CEILING_MEMORY_KIB))
            .passes(CEILING_PASSES)
            .lanes(CEILING_LANES)
            .threads(1)
            .build()
            .map_err(HashError::Argon2)?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = argon2
            .hash_password_with_random_salt(b"no account has this password")
            .map_err(HashError::Argon2)?;
        Ok(PasswordHasher {
            argon2,
            ceiling,
            dummy_hash: dummy_hash.into(),
            jobs: start_hashing_threads(concurrency)?,
        })
    }

    /// One hasher per core of this machine.
    pub fn for_this_machine() -> Result<Self, HashError> {
        PasswordHasher::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// Hashes on the calling thread: for the command line and tests.
    pub fn hash_blocking(&self, password: &SecretString) -> Result<String, HashError> {
        with_arena(&self.argon2, |hasher| {
            hasher.hash_password_with_random_salt(password.expose_secret().as_bytes())
        })
        .map_err(HashError::Argon2)
    }

    /// Checks on the calling thread. With no stored hash (unknown user, or
    /// an account without a password) the dummy is checked instead and the
    /// answer is `false`, after the same work.
    pub fn verify_blocking(&self, stored: Option<&str>, password: &SecretString) -> bool {
        let candidate = password.expose_secret().as_bytes();
        let matches = |encoded: &str| {
            with_arena(&self.argon2, |hasher| {
                hasher.verify_encoded_bounded(
                    encoded,
                    candidate,
                    Algorithm::Argon2id,
                    &self.ceiling,
                )
            })
            .is_ok()
        };
        match stored {
            Some(encoded) => matches(encoded),
            None => {
                let _ = matches(&self.dummy_hash);
                false
            }
        }
    }

    /// Hashes on the bounded pool.
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move |hasher| hasher.hash_blocking(&password))
            .await?
    }

    /// Checks on the bounded pool; see [`PasswordHasher::verify_blocking`].
    pub async fn verify(
        &self,
        stored: Option<String>,
        password: SecretString,
    ) -> Result<bool, HashError> {
        self.run(move |hasher| hasher.verify_blocking(stored.as_deref(), &password))
            .await
    }

    /// Runs `work` on one of the hashing threads, handing it this hasher to
    /// hash or check with there (`hash_blocking`, `verify_blocking`). Work
    /// that needs a hash between blocking steps runs here whole: a sign-in
    /// reads, checks and writes in one job, instead of crossing to another
    /// thread and back for each step (see BENCHMARKS.md). The bound holds:
    /// at most one job per hashing thread runs at once.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        self.run_with_reply(move |hasher, reply| reply.send(work(hasher)))
            .await
    }

    /// [`PasswordHasher::run`] for a job that may answer after it returns,
    /// from work it left for the thread's idle moment ([`when_idle`]).
    pub async fn run_with_reply<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHasher, Reply<T>) + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let hasher = self.clone();
        self.jobs
            .send(Box::new(move || work(&hasher, Reply(done))))
            .map_err(|_| HashError::Task("the hashing threads have stopped".to_owned()))?;
        result
            .await
            .map_err(|_| HashError::Task("a hashing job was dropped".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn verifies_its_own_hashes_and_nothing_else() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1)?;
        let stored = hasher.hash_blocking(&secret("correct horse battery"))?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify_blocking(Some(&stored), &secret("correct horse battery")));
        assert!(!hasher.verify_blocking(Some(&stored), &secret("correct horse battery!")));
        assert!(!hasher.verify_blocking(None, &secret("no account has this password")));
        Ok(())
    }

    #[test]
    fn refuses_stored_hashes_that_would_cost_too_much() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1)?;
        let greedy = "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(!hasher.verify_blocking(Some(greedy), &secret("anything")));
        Ok(())
    }

    #[tokio::test]
    #[allow(clippy::panic)]
    async fn a_job_that_panics_fails_alone_and_the_thread_goes_on() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1)?;
        let failed = hasher
            .run(|_| -> u32 { panic!("a bug in a sign-in job") })
            .await;
        assert!(matches!(failed, Err(HashError::Task(_))));
        let stored = hasher.hash(secret("still hashing")).await?;
        assert!(hasher.verify(Some(stored), secret("still hashing")).await?);
        Ok(())
    }

    #[tokio::test]
    async fn idle_work_waits_for_the_jobs_queued_behind_it() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1)?;
        let order = Arc::new(Mutex::new(Vec::new()));
        let log = |entry: &'static str| {
            let order = Arc::clone(&order);
            move || order.lock().map(|mut o| o.push(entry)).unwrap_or(())
        };
        let (open_gate, gate) = mpsc::channel::<()>();
        let (idle_done, idle_ran) = mpsc::channel::<()>();
        let (first_log, idle_log) = (log("first job"), log("idle work"));
        // The first job holds its thread until the second is queued, and
        // leaves work for the thread's idle moment.
        let first = hasher.run(move |_| {
            let _ = gate.recv();
            first_log();
            when_idle(move || {
                idle_log();
                let _ = idle_done.send(());
            });
        });
        let second = hasher.run({
            let second_log = log("second job");
            move |_| second_log()
        });
        let open = async move {
            let _ = open_gate.send(());
        };
        let (first, second, ()) = tokio::join!(first, second, open);
        first?;
        second?;
        assert!(idle_ran
            .recv_timeout(std::time::Duration::from_secs(5))
            .is_ok());
        let order = order.lock().map(|o| o.clone()).unwrap_or_default();
        assert_eq!(order, ["first job", "second job", "idle work"]);
        Ok(())
    }

    #[tokio::test]
    async fn idle_work_runs_while_another_thread_waits_for_jobs() -> Result<(), HashError> {
        // Two threads: while one runs the job, the other holds the queue,
        // waiting for the next job, which never comes.
        let hasher = PasswordHasher::new(2)?;
        let (idle_done, idle_ran) = mpsc::channel::<()>();
        hasher
            .run(move |_| {
                when_idle(move || {
                    let _ = idle_done.send(());
                })
            })
            .await?;
        assert!(idle_ran
            .recv_timeout(std::time::Duration::from_secs(5))
            .is_ok());
        Ok(())
    }

    #[tokio::test]
    async fn the_pool_answers_every_queued_job() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(2)?;
        let stored = hasher.hash(secret("queue me, please")).await?;
        let check = |candidate: &str| hasher.verify(Some(stored.clone()), secret(candidate));
        let (a, b, c, d) = tokio::join!(
            check("queue me, please"),
            check("nope"),
            check("queue me, please"),
            hasher.verify(None, secret("queue me, please")),
        );
        assert_eq!((a?, b?, c?, d?), (true, false, true, false));
        Ok(())
    }
}
