//! [`ByteBudget`]: the bytes of requests in flight at once across all reads of one
//! [`super::HttpClient`] (issue 9, "total in flight" cap).
//!
//! A weighted, first-come-first-served async semaphore for a single-threaded executor
//! (wasm, a tokio `LocalSet`, `block_on`): a request charges the bytes its body may hold
//! before they are allocated, waits (no polling loop: its waker is woken when bytes are
//! released) while the budget is short, and gives them back when its [`Charge`] drops. A
//! charge above the whole budget can never be served and fails at once with
//! [`LimitExceeded`] `{ what: "bytes in flight", .. }`. Waiters are served in order, so a
//! large request is not starved by a stream of small ones; a dropped (cancelled) waiter
//! leaves the queue.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::error::LimitExceeded;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// What a [`LimitExceeded`] from a [`ByteBudget`] names.
pub const WHAT: &str = "bytes in flight";

struct Waiter {
    id: u64,
    bytes: u64,
    waker: Waker,
}

struct State {
    used: u64,
    next_id: u64,
    queue: VecDeque<Waiter>,
}

struct Inner {
    max: u64,
    state: RefCell<State>,
}

/// A budget of `max` bytes shared by clones.
#[derive(Clone)]
pub struct ByteBudget {
    inner: Rc<Inner>,
}

impl std::fmt::Debug for ByteBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.inner.state.borrow();
        f.debug_struct("ByteBudget")
            .field("max", &self.inner.max)
            .field("used", &st.used)
            .field("waiting", &st.queue.len())
            .finish()
    }
}

/// Clones are equal: they share one budget.
impl PartialEq for ByteBudget {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for ByteBudget {}

impl ByteBudget {
    /// A budget of `max` bytes.
    pub fn new(max: u64) -> Self {
        ByteBudget {
            inner: Rc::new(Inner { max, state: RefCell::new(State { used: 0, next_id: 0, queue: VecDeque::new() }) }),
        }
    }

    /// The budget.
    pub fn max(&self) -> u64 {
        self.inner.max
    }

    /// Bytes charged now.
    pub fn in_use(&self) -> u64 {
        self.inner.state.borrow().used
    }

    /// Charges waiting for bytes.
    pub fn waiting(&self) -> usize {
        self.inner.state.borrow().queue.len()
    }

    /// Charge `bytes`, waiting for earlier charges to be released if the budget is short.
    /// The future fails at once (never waits) when `bytes` exceeds the whole budget.
    pub fn charge(&self, bytes: u64) -> Acquire {
        Acquire { budget: self.clone(), bytes, id: None }
    }

    /// Wake the first waiter if its charge fits now.
    fn wake_head(&self) {
        let waker = {
            let st = self.inner.state.borrow();
            st.queue.front().filter(|w| st.used.saturating_add(w.bytes) <= self.inner.max).map(|w| w.waker.clone())
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The future of [`ByteBudget::charge`].
#[must_use = "a charge is only taken when awaited"]
pub struct Acquire {
    budget: ByteBudget,
    bytes: u64,
    /// Set while queued.
    id: Option<u64>,
}

impl Future for Acquire {
    type Output = Result<Charge, LimitExceeded>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let max = self.budget.inner.max;
        let bytes = self.bytes;
        if bytes > max {
            return Poll::Ready(Err(LimitExceeded { what: WHAT, requested: bytes, max }));
        }
        let granted = {
            let mut st = self.budget.inner.state.borrow_mut();
            let fits = st.used.saturating_add(bytes) <= max;
            match self.id {
                None if fits && st.queue.is_empty() => {
                    st.used = st.used.saturating_add(bytes);
                    true
                }
                None => {
                    let id = st.next_id;
                    st.next_id = st.next_id.wrapping_add(1);
                    st.queue.push_back(Waiter { id, bytes, waker: cx.waker().clone() });
                    drop(st);
                    self.id = Some(id);
                    false
                }
                Some(id) => {
                    let at_head = st.queue.front().is_some_and(|w| w.id == id);
                    if at_head && fits {
                        st.queue.pop_front();
                        st.used = st.used.saturating_add(bytes);
                        drop(st);
                        self.id = None;
                        true
                    } else {
                        if let Some(w) = st.queue.iter_mut().find(|w| w.id == id) {
                            w.waker.clone_from(cx.waker());
                        }
                        false
                    }
                }
            }
        };
        if granted {
            // The next waiter may fit in what is left.
            self.budget.wake_head();
            Poll::Ready(Ok(Charge { budget: self.budget.clone(), bytes }))
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let was_head = {
                let mut st = self.budget.inner.state.borrow_mut();
                let was_head = st.queue.front().is_some_and(|w| w.id == id);
                st.queue.retain(|w| w.id != id);
                was_head
            };
            if was_head {
                self.budget.wake_head();
            }
        }
    }
}

/// Bytes taken from a [`ByteBudget`], given back on drop.
#[derive(Debug)]
pub struct Charge {
    budget: ByteBudget,
    bytes: u64,
}

impl Charge {
    /// The bytes charged.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        {
            let mut st = self.budget.inner.state.borrow_mut();
            st.used = st.used.saturating_sub(self.bytes);
        }
        self.budget.wake_head();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::cell::Cell;

    #[test]
    fn too_big_fails_at_once() {
        let b = ByteBudget::new(100);
        let e = futures::executor::block_on(b.charge(101)).unwrap_err();
        assert_eq!((e.what, e.requested, e.max), (WHAT, 101, 100));
        let c = futures::executor::block_on(b.charge(100)).unwrap();
        assert_eq!((c.bytes(), b.in_use()), (100, 100));
        drop(c);
        assert_eq!(b.in_use(), 0);
    }

    #[test]
    fn waits_in_order_and_never_exceeds() {
        let b = ByteBudget::new(100);
        let mut pool = LocalPool::new();
        let peak = Rc::new(Cell::new(0u64));
        let order = Rc::new(RefCell::new(Vec::new()));
        let held = futures::executor::block_on(b.charge(90)).unwrap();
        for (i, n) in [60u64, 20, 50, 10].into_iter().enumerate() {
            let (b, peak, order) = (b.clone(), peak.clone(), order.clone());
            pool.spawner()
                .spawn_local(async move {
                    let c = b.charge(n).await.unwrap();
                    peak.set(peak.get().max(b.in_use()));
                    order.borrow_mut().push(i);
                    // Hold the bytes across a yield so that others must wait.
                    futures::pending!();
                    drop(c);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        // All wait behind the 90 held; the 20 does not jump the queue ahead of the 60.
        assert_eq!(b.waiting(), 4);
        assert!(order.borrow().is_empty());
        drop(held);
        pool.run_until_stalled();
        // `pending!()` never resumes by itself: the first grants hold their bytes.
        assert_eq!(*order.borrow(), [0, 1]);
        assert_eq!(b.in_use(), 80);
        assert!(peak.get() <= 100);
    }

    #[test]
    fn a_dropped_waiter_leaves_the_queue() {
        let b = ByteBudget::new(10);
        let held = futures::executor::block_on(b.charge(10)).unwrap();
        let mut pool = LocalPool::new();
        let mut first = Box::pin(b.charge(5));
        let waker = futures::task::noop_waker();
        assert!(first.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        let got = Rc::new(Cell::new(false));
        let (b2, got2) = (b.clone(), got.clone());
        pool.spawner()
            .spawn_local(async move {
                let _c = b2.charge(8).await.unwrap();
                got2.set(true);
            })
            .unwrap();
        pool.run_until_stalled();
        assert_eq!(b.waiting(), 2);
        drop(first);
        drop(held);
        pool.run_until_stalled();
        assert!(got.get());
        assert_eq!((b.waiting(), b.in_use()), (0, 0));
    }
}
