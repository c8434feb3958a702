//! Cooperative cancellation: a clone-able flag with wakers, shared by every request a
//! read starts.
//!
//! A [`CancelToken`] is cancelled once and stays cancelled. Waiting code races its work
//! against [`CancelToken::cancelled`]; on wasm the fetch transport also aborts the
//! underlying `fetch` through an `AbortController` whose signal it passes to `fetch`
//! (`src/io/fetch.rs`), and a caller's JS `AbortSignal` can be linked in with
//! `CancelToken::link_abort_signal`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

#[derive(Debug, Default)]
struct Inner {
    cancelled: AtomicBool,
    next_id: AtomicU64,
    /// Waiting [`Cancelled`] futures, by id; each removes its entry when dropped, so a
    /// long-lived token does not accumulate wakers.
    wakers: Mutex<Vec<(u64, Waker)>>,
}

/// A cancellation flag. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<Inner>,
}

impl CancelToken {
    /// A fresh token, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancel: every waiter wakes up and every future request fails with `Aborted`.
    pub fn cancel(&self) {
        if self.inner.cancelled.swap(true, Ordering::SeqCst) {
            return;
        }
        let wakers = std::mem::take(&mut *lock(&self.inner.wakers));
        for (_, w) in wakers {
            w.wake();
        }
    }

    /// Whether [`CancelToken::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// A future that completes when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled {
        Cancelled { token: self.clone(), id: self.inner.next_id.fetch_add(1, Ordering::Relaxed) }
    }

    /// A token cancelled when the JS `signal` aborts.
    #[cfg(target_arch = "wasm32")]
    pub fn from_abort_signal(signal: &web_sys::AbortSignal) -> Self {
        let t = CancelToken::new();
        t.link_abort_signal(signal);
        t
    }

    /// Cancel this token when the JS `signal` aborts (immediately if it already has).
    #[cfg(target_arch = "wasm32")]
    pub fn link_abort_signal(&self, signal: &web_sys::AbortSignal) {
        use wasm_bindgen::JsCast;
        if signal.aborted() {
            self.cancel();
            return;
        }
        let token = self.clone();
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || token.cancel());
        let opts = web_sys::AddEventListenerOptions::new();
        opts.set_once(true);
        // An `AbortSignal` is an `EventTarget`; adding a listener cannot fail for "abort".
        let _ =
            signal.add_event_listener_with_callback_and_add_event_listener_options("abort", cb.unchecked_ref(), &opts);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding this lock cannot leave the vectors inconsistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The future of [`CancelToken::cancelled`].
#[derive(Debug)]
pub struct Cancelled {
    token: CancelToken,
    id: u64,
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        lock(&self.token.inner.wakers).retain(|(id, _)| *id != self.id);
    }
}

impl Future for Cancelled {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.token.is_cancelled() {
            return Poll::Ready(());
        }
        let mut wakers = lock(&self.token.inner.wakers);
        match wakers.iter_mut().find(|(id, _)| *id == self.id) {
            Some((_, w)) => w.clone_from(cx.waker()),
            None => wakers.push((self.id, cx.waker().clone())),
        }
        drop(wakers);
        if self.token.is_cancelled() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::future::{select, Either};

    #[test]
    fn cancel_wakes_waiters() {
        let t = CancelToken::new();
        let c = t.clone();
        assert!(!c.is_cancelled());
        let t2 = t.clone();
        let r = block_on(async move {
            let wait = Box::pin(c.cancelled());
            let fire = Box::pin(async move {
                t2.cancel();
                7
            });
            match select(wait, fire).await {
                Either::Left(_) => 0,
                Either::Right((v, wait)) => {
                    wait.await;
                    v
                }
            }
        });
        assert_eq!(r, 7);
        assert!(t.is_cancelled());
    }

    #[test]
    fn dropped_waiters_unregister() {
        let t = CancelToken::new();
        for _ in 0..10 {
            let mut f = Box::pin(t.cancelled());
            let waker = futures::task::noop_waker();
            let mut cx = Context::from_waker(&waker);
            assert!(f.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(lock(&t.inner.wakers).len(), 0);
    }
}
