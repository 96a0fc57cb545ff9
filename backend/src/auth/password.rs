//! Password hashing with argon2id, in one place: the parameters, the dummy
//! hash that unknown usernames are checked against (so they cost the same
//! time), and the hashing pool: one long-lived thread per core, fed by a
//! queue, so at most one hash per core runs, the rest wait, and memory stays
//! flat under load. (Dedicated threads keep the cores busy: a semaphore in
//! front of the shared blocking pool lost about a tenth of each core to the
//! hand-off, see docs/decisions.) The queue is bounded: when it is full a
//! job is refused at once ([`HashError::Busy`]), so a flood costs neither
//! memory nor the time of the sign-ins already waiting. A job whose caller
//! has gone away is dropped unrun.

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
    #[error("every hashing thread is busy and the queue is full")]
    Busy,
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
    /// The bounded queue of the hashing threads; they stop when the last
    /// clone of this hasher is dropped.
    jobs: mpsc::SyncSender<Job>,
}

/// Starts `threads` hashing threads that take jobs from one queue of at
/// most `queue` waiting jobs.
fn start_hashing_threads(threads: usize, queue: usize) -> Result<mpsc::SyncSender<Job>, HashError> {
    let (sender, receiver) = mpsc::sync_channel::<Job>(queue.max(1));
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
            })
            .map_err(|e| HashError::Task(e.to_string()))?;
    }
    Ok(sender)
}

/// The next job for this hashing thread; `None` when the hasher is gone.
fn next_job(receiver: &Mutex<mpsc::Receiver<Job>>) -> Option<Job> {
    receiver.lock().ok()?.recv().ok()
}

impl PasswordHasher {
    /// A hasher with `concurrency` hashing threads (at most that many hashes
    /// run at once) and room for `queue` jobs waiting for them.
    pub fn new(concurrency: usize, queue: usize) -> Result<Self, HashError> {
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
            jobs: start_hashing_threads(concurrency, queue)?,
        })
    }

    /// One hashing thread per core of this machine.
    pub fn for_this_machine(queue: usize) -> Result<Self, HashError> {
        PasswordHasher::new(
            std::thread::available_parallelism().map_or(1, usize::from),
            queue,
        )
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
    /// reads, checks and writes in one job instead of crossing to another
    /// thread and back for each step (docs/decisions). At most one job per
    /// hashing thread runs at once; when the queue is full the job is
    /// refused at once with [`HashError::Busy`]. If the caller stops
    /// waiting (its client went away) before the job starts, it never runs.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&PasswordHasher) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let hasher = self.clone();
        let job: Job = Box::new(move || {
            if done.is_closed() {
                return;
            }
            let _ = done.send(work(&hasher));
        });
        self.jobs.try_send(job).map_err(|e| match e {
            mpsc::TrySendError::Full(_) => HashError::Busy,
            mpsc::TrySendError::Disconnected(_) => {
                HashError::Task("the hashing threads have stopped".to_owned())
            }
        })?;
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
        let hasher = PasswordHasher::new(1, 8)?;
        let stored = hasher.hash_blocking(&secret("correct horse battery"))?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify_blocking(Some(&stored), &secret("correct horse battery")));
        assert!(!hasher.verify_blocking(Some(&stored), &secret("correct horse battery!")));
        assert!(!hasher.verify_blocking(None, &secret("no account has this password")));
        Ok(())
    }

    #[test]
    fn refuses_stored_hashes_that_would_cost_too_much() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1, 8)?;
        let greedy = "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
                      AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(!hasher.verify_blocking(Some(greedy), &secret("anything")));
        Ok(())
    }

    #[tokio::test]
    #[allow(clippy::panic)]
    async fn a_job_that_panics_fails_alone_and_the_thread_goes_on() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(1, 8)?;
        let failed = hasher
            .run(|_| -> u32 { panic!("a bug in a sign-in job") })
            .await;
        assert!(matches!(failed, Err(HashError::Task(_))));
        let stored = hasher.hash(secret("still hashing")).await?;
        assert!(hasher.verify(Some(stored), secret("still hashing")).await?);
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_refuses_at_once_and_a_gone_caller_is_not_run() -> Result<(), HashError> {
        // One thread, room for one waiting job. The first job holds the
        // thread until the gate opens; the second waits in the queue.
        let hasher = PasswordHasher::new(1, 1)?;
        let (open_gate, gate) = mpsc::channel::<()>();
        let (started, has_started) = mpsc::channel::<()>();
        let first = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        let _ = gate.recv();
                    })
                    .await
            }
        });
        let _ = tokio::task::spawn_blocking(move || {
            has_started.recv_timeout(std::time::Duration::from_secs(5))
        })
        .await;
        let ran = Arc::new(Mutex::new(false));
        let second = {
            let ran = Arc::clone(&ran);
            let hasher = hasher.clone();
            tokio::spawn(async move {
                hasher
                    .run(move |_| {
                        if let Ok(mut ran) = ran.lock() {
                            *ran = true;
                        }
                    })
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let started_at = std::time::Instant::now();
        let third = hasher.run(|_| ()).await;
        assert!(matches!(third, Err(HashError::Busy)));
        assert!(started_at.elapsed() < std::time::Duration::from_millis(50));
        // The second caller goes away while its job waits.
        second.abort();
        let _ = second.await;
        let _ = open_gate.send(());
        assert!(first.await.is_ok_and(|r| r.is_ok()));
        // The queue has room again once the thread has taken the abandoned
        // job out of it (a moment after the first job answered), and the
        // abandoned job did not run.
        let mut next = hasher.run(|_| ()).await;
        for _ in 0..100 {
            if !matches!(next, Err(HashError::Busy)) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            next = hasher.run(|_| ()).await;
        }
        next?;
        assert!(!*ran.lock().map_err(|e| HashError::Task(e.to_string()))?);
        Ok(())
    }

    #[tokio::test]
    async fn the_pool_answers_every_queued_job() -> Result<(), HashError> {
        let hasher = PasswordHasher::new(2, 8)?;
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
