//! Request counters: process-wide ([`stats`]) and per client.
//!
//! `requests` counts requests sent (every attempt, HEAD included; for local files every
//! read), `bytes_fetched` the body bytes received, `cache_hits` the ranges served from
//! the byte cache without a request.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub requests: u64,
    pub bytes_fetched: u64,
    pub cache_hits: u64,
}

/// Live counters.
#[derive(Debug, Default)]
pub struct StatsCounters {
    requests: AtomicU64,
    bytes_fetched: AtomicU64,
    cache_hits: AtomicU64,
}

impl StatsCounters {
    /// Zeroed counters.
    pub const fn new() -> Self {
        StatsCounters { requests: AtomicU64::new(0), bytes_fetched: AtomicU64::new(0), cache_hits: AtomicU64::new(0) }
    }

    /// The current values.
    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self.requests.load(Ordering::Relaxed),
            bytes_fetched: self.bytes_fetched.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
        }
    }
}

static GLOBAL: StatsCounters = StatsCounters::new();

/// The process-wide counters (all clients and file sources).
pub fn stats() -> Stats {
    GLOBAL.snapshot()
}

/// Count one request on `local` and globally.
pub(crate) fn count_request(local: Option<&StatsCounters>) {
    for c in [Some(&GLOBAL), local].into_iter().flatten() {
        c.requests.fetch_add(1, Ordering::Relaxed);
    }
}

/// Count `n` received body bytes.
pub(crate) fn count_bytes(local: Option<&StatsCounters>, n: u64) {
    for c in [Some(&GLOBAL), local].into_iter().flatten() {
        c.bytes_fetched.fetch_add(n, Ordering::Relaxed);
    }
}

/// Count one range served from the cache.
pub(crate) fn count_cache_hit(local: Option<&StatsCounters>) {
    for c in [Some(&GLOBAL), local].into_iter().flatten() {
        c.cache_hits.fetch_add(1, Ordering::Relaxed);
    }
}
