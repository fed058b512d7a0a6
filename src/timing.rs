//! Where start-up time goes (issue 20): each step before the reader's first frame, logged at
//! debug level under the target `paperboy::startup` with its duration in ms. Off unless the
//! log filter asks for it (`PAPERBOY_LOG=paperboy=info,paperboy::startup=debug`); the log
//! lines' own timestamps give the timeline from the first step on.

use std::time::Instant;

/// The log target of the start-up steps.
pub const TARGET: &str = "paperboy::startup";

/// Runs `f`, logging how long it took as step `what` when the log asks for start-up steps.
pub fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        return f();
    }
    let t = Instant::now();
    let out = f();
    log_step(what, t);
    out
}

/// Logs step `what` as begun at `since`.
pub fn log_step(what: &str, since: Instant) {
    let ms = since.elapsed().as_secs_f64() * 1e3;
    tracing::debug!(target: TARGET, step = what, ms = format_args!("{ms:.2}"));
}

/// Whether start-up steps are being logged (to skip naming a step that costs a format).
pub fn enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::DEBUG)
}
