//! A byte-budgeted LRU cache of fetched ranges, keyed by (URL, resolved range).
//!
//! An entry serves any sub-range of itself, so a merged request also answers later
//! reads of its parts. The budget bounds the bytes held (entries larger than the whole
//! budget are not cached); the least recently used entries go first.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug)]
struct Entry {
    start: u64,
    end: u64,
    bytes: Bytes,
    tick: u64,
}

/// The cache. Not thread-safe by itself; the client keeps it behind a `RefCell`.
#[derive(Debug, Default)]
pub struct ByteCache {
    budget: u64,
    used: u64,
    tick: u64,
    by_url: HashMap<String, Vec<Entry>>,
    lru: BTreeMap<u64, (String, u64, u64)>,
}

impl ByteCache {
    /// An empty cache holding at most `budget` bytes.
    pub fn new(budget: u64) -> Self {
        ByteCache { budget, ..Default::default() }
    }

    /// Bytes held.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.lru.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.lru.is_empty()
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The bytes `[start, end)` of `url` if one entry holds them all; marks it used.
    pub fn get(&mut self, url: &str, start: u64, end: u64) -> Option<Bytes> {
        let tick = self.next_tick();
        let entries = self.by_url.get_mut(url)?;
        let e = entries.iter_mut().find(|e| e.start <= start && end <= e.end && start < end)?;
        let s = usize::try_from(start - e.start).ok()?;
        let t = usize::try_from(end - e.start).ok()?;
        let out = e.bytes.slice(s..t);
        if let Some(k) = self.lru.remove(&e.tick) {
            self.lru.insert(tick, k);
        }
        e.tick = tick;
        Some(out)
    }

    /// Keep `bytes`, the bytes of `url` from offset `start` on. Entries the new one
    /// covers are dropped; nothing happens if an entry already covers it or it exceeds
    /// the whole budget.
    pub fn insert(&mut self, url: &str, start: u64, bytes: Bytes) {
        let len = bytes.len() as u64;
        let Some(end) = start.checked_add(len) else { return };
        if len == 0 || len > self.budget {
            return;
        }
        let tick = self.next_tick();
        let entries = self.by_url.entry(url.to_owned()).or_default();
        if entries.iter().any(|e| e.start <= start && end <= e.end) {
            return;
        }
        let mut freed = 0u64;
        entries.retain(|e| {
            let covered = start <= e.start && e.end <= end;
            if covered {
                freed += e.end - e.start;
                self.lru.remove(&e.tick);
            }
            !covered
        });
        entries.push(Entry { start, end, bytes, tick });
        self.used = self.used - freed + len;
        self.lru.insert(tick, (url.to_owned(), start, end));
        while self.used > self.budget {
            let Some((_, (u, s, e))) = self.lru.pop_first() else { break };
            if let Some(list) = self.by_url.get_mut(&u) {
                list.retain(|x| !(x.start == s && x.end == e));
                if list.is_empty() {
                    self.by_url.remove(&u);
                }
            }
            self.used -= e - s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize, v: u8) -> Bytes {
        Bytes::from(vec![v; n])
    }

    #[test]
    fn serves_sub_ranges() {
        let mut c = ByteCache::new(1000);
        c.insert("u", 100, Bytes::from_static(b"abcdefgh"));
        assert_eq!(&c.get("u", 102, 105).unwrap()[..], b"cde");
        assert_eq!(&c.get("u", 100, 108).unwrap()[..], b"abcdefgh");
        assert!(c.get("u", 99, 101).is_none());
        assert!(c.get("u", 107, 109).is_none());
        assert!(c.get("v", 100, 101).is_none());
        assert_eq!((c.used(), c.len()), (8, 1));
    }

    #[test]
    fn evicts_least_recently_used_within_budget() {
        let mut c = ByteCache::new(30);
        c.insert("u", 0, bytes(10, 1));
        c.insert("u", 100, bytes(10, 2));
        c.insert("v", 0, bytes(10, 3));
        assert_eq!(c.used(), 30);
        // Touch the first: the second is now the oldest.
        assert!(c.get("u", 0, 10).is_some());
        c.insert("w", 0, bytes(10, 4));
        assert_eq!((c.used(), c.len()), (30, 3));
        assert!(c.get("u", 100, 110).is_none());
        assert!(c.get("u", 0, 10).is_some());
        assert!(c.get("v", 0, 10).is_some());
        assert_eq!(c.get("w", 0, 1).unwrap()[0], 4);
        // Too big for the budget: not cached, nothing evicted.
        c.insert("x", 0, bytes(31, 5));
        assert_eq!((c.used(), c.len()), (30, 3));
        // A zero budget caches nothing.
        let mut z = ByteCache::new(0);
        z.insert("u", 0, bytes(1, 1));
        assert!(z.is_empty());
    }

    #[test]
    fn covering_entry_replaces_covered_ones() {
        let mut c = ByteCache::new(100);
        c.insert("u", 10, bytes(5, 1));
        c.insert("u", 20, bytes(5, 2));
        c.insert("u", 0, bytes(40, 9));
        assert_eq!((c.used(), c.len()), (40, 1));
        // Already covered: ignored.
        c.insert("u", 5, bytes(5, 7));
        assert_eq!((c.used(), c.len()), (40, 1));
        assert_eq!(c.get("u", 5, 6).unwrap()[0], 9);
    }
}
