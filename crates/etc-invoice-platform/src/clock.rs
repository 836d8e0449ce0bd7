//! Time, injected: the service and the simulator read the time and wait
//! only through a [`Clock`], so tests run on virtual time and never sleep.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use chrono::{Datelike, TimeDelta, Timelike};
use etc_invoice_order::CstDateTime;

/// A source of the current time and of waiting.
///
/// Implementations: [`SystemClock`] (the wall clock, tokio timers),
/// [`TokioClock`] (tokio's clock, so virtual under tokio's paused time) and
/// [`SimClock`] (virtual time without a runtime).
pub trait Clock: Send + Sync {
    /// The current time in China.
    fn now(&self) -> CstDateTime;

    /// Waits `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> CstDateTime {
        (**self).now()
    }
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (**self).sleep(duration)
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> CstDateTime {
        (**self).now()
    }
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        (**self).sleep(duration)
    }
}

/// `t + d`, or `t` itself in the (centuries away) case that chrono cannot
/// represent the sum.
pub(crate) fn add(t: CstDateTime, d: Duration) -> CstDateTime {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|delta| t.checked_add(delta))
        .unwrap_or(t)
}

/// The time from `earlier` to `later`, zero when `later` is not later.
pub(crate) fn between(earlier: CstDateTime, later: CstDateTime) -> Duration {
    (later.as_datetime() - earlier.as_datetime())
        .to_std()
        .unwrap_or(Duration::ZERO)
}

/// `t`'s calendar fields in China, as file formats take them (the PDF
/// creation date, a ZIP entry's time): the year, and the month, day, hour,
/// minute and second. The year is `None` outside 0–65535.
pub(crate) fn fields(t: CstDateTime) -> (Option<u16>, [u8; 5]) {
    let t = t.as_datetime();
    // Month to second are below 60: they fit a `u8`.
    let small = |v: u32| u8::try_from(v).unwrap_or(u8::MAX);
    (
        u16::try_from(t.year()).ok(),
        [t.month(), t.day(), t.hour(), t.minute(), t.second()].map(small),
    )
}

/// The wall clock, with tokio's timers for waiting (so it needs a tokio
/// runtime with the time driver enabled).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> CstDateTime {
        CstDateTime::from_datetime(&chrono::Utc::now())
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Tokio's clock, counted from a given start time: `now()` is the start plus
/// the time tokio says has passed since the clock was made.
///
/// Under tokio's paused time (`#[tokio::test(start_paused = true)]`, or
/// `tokio::time::pause()` with tokio's `test-util` feature), time is virtual
/// and jumps ahead whenever every task waits: concurrent tasks on a
/// current-thread runtime then run deterministically and never really
/// sleep. Make the clock inside the runtime.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    origin: CstDateTime,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock that reads `origin` now.
    pub fn starting_at(origin: CstDateTime) -> TokioClock {
        TokioClock {
            origin,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> CstDateTime {
        add(self.origin, self.start.elapsed())
    }
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Virtual time, shared by its clones; no runtime needed and no real
/// waiting.
///
/// - An **auto-advancing** clock ([`SimClock::auto`]) moves to the end of
///   each sleep at once (after yielding to other tasks once), so a sequence
///   of waits takes no real time. Concurrent sleepers each move the shared
///   time forward by their own wait: right for one flow at a time
///   (examples, benchmarks), approximate for many.
/// - A **manual** clock ([`SimClock::manual`]) moves only when told
///   ([`SimClock::advance`], [`SimClock::advance_to_next`]); sleepers wake
///   when it passes their deadline. A test drives it step by step.
///
/// ```
/// use std::time::Duration;
/// use etc_invoice_platform::{Clock, SimClock};
///
/// let clock = SimClock::manual("2024-04-15 09:00:00".parse()?);
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now().to_string(), "2024-04-15T09:01:30+08:00");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SimClock {
    state: Arc<Mutex<SimState>>,
}

#[derive(Debug)]
struct SimState {
    now: CstDateTime,
    auto: bool,
    next_id: u64,
    /// Sleepers of a manual clock, by deadline then registration order.
    waiters: BTreeMap<(CstDateTime, u64), Waker>,
}

impl SimClock {
    /// A clock that moves to the end of each sleep by itself.
    pub fn auto(start: CstDateTime) -> SimClock {
        SimClock::new(start, true)
    }

    /// A clock that moves only when told.
    pub fn manual(start: CstDateTime) -> SimClock {
        SimClock::new(start, false)
    }

    fn new(start: CstDateTime, auto: bool) -> SimClock {
        SimClock {
            state: Arc::new(Mutex::new(SimState {
                now: start,
                auto,
                next_id: 0,
                waiters: BTreeMap::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        // The state is consistent after every statement, so a panic in
        // another holder leaves nothing half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves time forward by `duration` and wakes the sleepers it passes.
    pub fn advance(&self, duration: Duration) {
        let mut state = self.lock();
        let to = add(state.now, duration);
        Self::move_to(&mut state, to);
    }

    /// Moves time to `to` (if later) and wakes the sleepers it passes.
    pub fn advance_to(&self, to: CstDateTime) {
        let mut state = self.lock();
        Self::move_to(&mut state, to);
    }

    /// Sets the time to `to`, earlier or later, without waking anyone: for
    /// benchmarks that replay the same day over and over.
    pub fn reset(&self, to: CstDateTime) {
        self.lock().now = to;
    }

    /// Moves a manual clock to the earliest sleeper's deadline and wakes it
    /// (and any sleeper due at the same time). Returns `false` when nobody
    /// sleeps.
    pub fn advance_to_next(&self) -> bool {
        let mut state = self.lock();
        match state.waiters.keys().next().map(|(t, _)| *t) {
            Some(t) => {
                Self::move_to(&mut state, t);
                true
            }
            None => false,
        }
    }

    /// The earliest deadline of a sleeper, if anyone sleeps.
    pub fn next_deadline(&self) -> Option<CstDateTime> {
        self.lock().waiters.keys().next().map(|(t, _)| *t)
    }

    /// How many tasks sleep on a manual clock.
    pub fn sleepers(&self) -> usize {
        self.lock().waiters.len()
    }

    fn move_to(state: &mut SimState, to: CstDateTime) {
        if to > state.now {
            state.now = to;
        }
        let now = state.now;
        let later = state.waiters.split_off(&(now, u64::MAX));
        let due = std::mem::replace(&mut state.waiters, later);
        for waker in due.into_values() {
            waker.wake();
        }
    }
}

impl Clock for SimClock {
    fn now(&self) -> CstDateTime {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        let mut state = self.lock();
        let deadline = add(state.now, duration);
        let id = state.next_id;
        state.next_id = state.next_id.wrapping_add(1);
        drop(state);
        SimSleep {
            clock: self.clone(),
            deadline,
            id,
            registered: false,
            yielded: false,
        }
    }
}

/// A sleep on a [`SimClock`].
struct SimSleep {
    clock: SimClock,
    deadline: CstDateTime,
    id: u64,
    registered: bool,
    yielded: bool,
}

impl Future for SimSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.clock.lock();
        if state.auto {
            if state.now < this.deadline {
                state.now = this.deadline;
            }
            drop(state);
            // Yield once, so that a loop of sleeps lets other tasks run.
            if this.yielded {
                return Poll::Ready(());
            }
            this.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if state.now >= this.deadline {
            if this.registered {
                state.waiters.remove(&(this.deadline, this.id));
                this.registered = false;
            }
            return Poll::Ready(());
        }
        state
            .waiters
            .insert((this.deadline, this.id), cx.waker().clone());
        this.registered = true;
        Poll::Pending
    }
}

impl Drop for SimSleep {
    fn drop(&mut self) {
        if self.registered {
            self.clock.lock().waiters.remove(&(self.deadline, self.id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> CstDateTime {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn auto_clock_jumps() {
        let clock = SimClock::auto(t("2024-04-15 09:00:00"));
        clock.sleep(Duration::from_secs(600)).await;
        clock.sleep(Duration::from_secs(60)).await;
        assert_eq!(clock.now(), t("2024-04-15 09:11:00"));
    }

    #[tokio::test]
    async fn manual_clock_wakes_in_order() {
        let clock = SimClock::manual(t("2024-04-15 09:00:00"));
        let c1 = clock.clone();
        let c2 = clock.clone();
        let a = tokio::spawn(async move {
            c1.sleep(Duration::from_secs(10)).await;
            c1.now()
        });
        let b = tokio::spawn(async move {
            c2.sleep(Duration::from_secs(5)).await;
            c2.now()
        });
        // Let both register.
        tokio::task::yield_now().await;
        tokio::task::yield_now().await;
        assert_eq!(clock.sleepers(), 2);
        assert_eq!(clock.next_deadline(), Some(t("2024-04-15 09:00:05")));
        assert!(clock.advance_to_next());
        assert_eq!(b.await.unwrap(), t("2024-04-15 09:00:05"));
        assert!(clock.advance_to_next());
        assert_eq!(a.await.unwrap(), t("2024-04-15 09:00:10"));
        assert!(!clock.advance_to_next());
    }

    #[tokio::test]
    async fn dropped_sleep_deregisters() {
        let clock = SimClock::manual(t("2024-04-15 09:00:00"));
        let c = clock.clone();
        let task = tokio::spawn(async move { c.sleep(Duration::from_secs(10)).await });
        tokio::task::yield_now().await;
        assert_eq!(clock.sleepers(), 1);
        task.abort();
        let _ = task.await;
        assert_eq!(clock.sleepers(), 0);
    }

    #[test]
    fn reset_goes_back() {
        let clock = SimClock::auto(t("2024-04-15 09:00:00"));
        clock.advance(Duration::from_secs(3600));
        clock.reset(t("2024-04-15 09:00:00"));
        assert_eq!(clock.now(), t("2024-04-15 09:00:00"));
        assert_eq!(
            between(t("2024-04-15 09:00:00"), t("2024-04-15 09:00:30")),
            Duration::from_secs(30)
        );
        assert_eq!(
            between(t("2024-04-15 09:00:30"), t("2024-04-15 09:00:00")),
            Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let clock = TokioClock::starting_at(t("2024-04-15 09:00:00"));
        clock.sleep(Duration::from_secs(3600)).await;
        assert_eq!(clock.now(), t("2024-04-15 10:00:00"));
    }
}
