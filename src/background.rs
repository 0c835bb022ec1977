//! Work on another thread whose result is waited for once.

/// A result being computed on another thread. Dropped without being waited for (the command
/// stopped on an error), it still waits for the thread, so that nothing the command started
/// outlives it or touches files the caller goes on to change.
pub struct Background<T: Send + 'static>(Option<std::thread::JoinHandle<T>>);

impl<T: Send + 'static> Background<T> {
    pub fn spawn(work: impl FnOnce() -> T + Send + 'static) -> Self {
        Background(Some(std::thread::spawn(work)))
    }

    /// The result; a panic on the thread is raised here.
    pub fn wait(mut self) -> T {
        let thread = self.0.take().expect("waited for once");
        thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

impl<T: Send + 'static> Drop for Background<T> {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}
