//! A Zstandard decoder (RFC 8878) written for speed in wasm: frames are decoded straight
//! into one flat output buffer (a Zarr chunk is decoded whole, so the window is simply
//! the output so far: no ring buffer, matches are copies within the output), literals
//! are Huffman-decoded through a single-symbol table with a 64-bit bit container
//! (libzstd's reading scheme), and matches use the lz4 decoder's copy routine (16-byte
//! copies, fills and doubling copies for overlapping matches, `memory.copy` otherwise).
//! The output is a growable vector (the zstd codec) or a fixed slice (`Sink`: Blosc
//! decodes its zstd streams in place). Sequences use libzstd's folded tables (baseline
//! and extra bits in each state, predefined tables built once per thread) and one refill
//! of the bit container per sequence.
//!
//! Measured inside Blosc (1 MiB float32 zstd+bitshuffle, interleaved A/B of
//! `decodeChunkInto`): the folded tables and single refill +8–11% (node 20), one branch
//! per literal/match copy +3–5% (chromium 156). What is left is the sequence loop's
//! dependency chain (refill → state bits → table load, ~18 ns per sequence in V8) and
//! Huffman literals (four interleaved streams, latency-bound: with each stream's bits
//! kept left-aligned, a symbol is shift → load → shift; +28–31% on plain zstd float32 and
//! uint16 chunks in chromium, +5% inside Blosc zstd+bitshuffle on uint16 imagery). Tried and
//! dropped: a two-symbol Huffman table on a 12-bit peek (10–15% slower on uint16
//! imagery: few pairs fit, and the variable advance lengthens the store chain), two
//! streams at a time instead of four (2x slower in chromium), the long-match copy out of
//! line (2–8% slower).
//!
//! Covered: skippable frames (caller), frame header (window, dictionary id, content
//! size, checksum flag), raw/RLE/compressed blocks, raw/RLE/Huffman/treeless literals
//! (1 or 4 streams, FSE-compressed or direct Huffman weights), sequences with
//! predefined/RLE/FSE/repeat modes, repeat offsets, content checksum (XXH64). Frames that
//! need a dictionary are `Unsupported`. Every read and write is bounds-checked: malformed
//! input is an error, never a panic, and the output never exceeds the caller's cap.

use crate::codecs::lz4::{copy16_raw, copy_match};

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZstdError {
    /// Malformed or truncated data.
    Format(&'static str),
    /// The frame needs a feature we do not decode (dictionaries).
    Unsupported(&'static str),
    /// The output would exceed the cap.
    TooLarge,
    /// Content checksum mismatch (stored, computed low 32 bits of XXH64).
    Checksum(u32, u32),
}

type R<T> = Result<T, ZstdError>;
use ZstdError::Format as F;

const MAGIC: u32 = 0xFD2F_B528;
const MAX_BLOCK: usize = 128 * 1024;

/// The little-endian u32 at `at`, if `src` holds it.
pub(crate) fn le32(src: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = src.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

// ---------------------------------------------------------------------------------------
// Bit readers

/// Backward bit reader (FSE and Huffman streams): the stream is read from its last byte
/// towards its first, most significant bits first; the last byte holds a 1-bit end marker.
struct BackBits<'a> {
    src: &'a [u8],
    /// Start index of the 8-byte window loaded in `c`.
    ptr: usize,
    c: u64,
    /// Bits of `c` consumed from the top.
    consumed: u32,
    /// Bits below the real stream start inside the first window (short streams).
    pad: u32,
}

#[inline(always)]
fn load64(src: &[u8], at: usize) -> u64 {
    match src.get(at..at.wrapping_add(8)) {
        Some(s) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            u64::from_le_bytes(a)
        }
        None => 0,
    }
}

impl<'a> BackBits<'a> {
    fn new(src: &'a [u8]) -> R<Self> {
        let last = *src.last().ok_or(F("empty bit stream"))?;
        if last == 0 {
            return Err(F("bit stream without end marker"));
        }
        let marker = last.leading_zeros() + 1;
        if src.len() >= 8 {
            let ptr = src.len() - 8;
            Ok(BackBits { src, ptr, c: load64(src, ptr), consumed: marker, pad: 0 })
        } else {
            let mut c = 0u64;
            for (i, b) in src.iter().enumerate() {
                c |= u64::from(*b) << (8 * (8 - src.len() + i));
            }
            let pad = 8 * (8 - src.len() as u32);
            Ok(BackBits { src, ptr: 0, c, consumed: marker, pad })
        }
    }

    /// The next `n` bits (0..=56 after a reload) without consuming them.
    #[inline(always)]
    fn look(&self, n: u32) -> u64 {
        // No branch for `n == 0` (`>> 1 >> 63` is 0). Past the stream start (`consumed`
        // 64 or more, malformed input only) the bits are garbage, never out of bounds,
        // and `finished` fails.
        (self.c << (self.consumed & 63)) >> 1 >> (63 - n.min(63))
    }

    #[inline(always)]
    fn skip(&mut self, n: u32) {
        self.consumed = self.consumed.wrapping_add(n);
    }

    #[inline(always)]
    fn read(&mut self, n: u32) -> u64 {
        let v = self.look(n);
        self.skip(n);
        v
    }

    /// Refill the container so at least 56 bits are available (unless near the start).
    #[inline(always)]
    fn reload(&mut self) {
        if self.consumed > 64 {
            return; // overflowed: every further read gives zeros; `finished` is false.
        }
        if self.ptr >= 8 {
            self.ptr -= (self.consumed >> 3) as usize;
            self.consumed &= 7;
            self.c = load64(self.src, self.ptr);
        } else if self.ptr > 0 {
            let nb = ((self.consumed >> 3) as usize).min(self.ptr);
            self.ptr -= nb;
            self.consumed -= 8 * nb as u32;
            self.c = load64(self.src, self.ptr);
        }
    }

    /// The state for the fast Huffman loop (meaningful while `consumed <= 64`).
    #[inline(always)]
    fn fast(&self) -> FastBits {
        (self.c.checked_shl(self.consumed).unwrap_or(0), self.consumed, self.ptr)
    }

    /// Back from the fast Huffman loop.
    #[inline(always)]
    fn set_fast(&mut self, (_, consumed, ptr): FastBits) {
        if ptr != self.ptr {
            self.ptr = ptr;
            self.c = load64(self.src, ptr);
        }
        self.consumed = consumed;
    }

    /// Whether exactly every bit of the stream was consumed.
    fn finished(&self) -> bool {
        self.ptr == 0 && self.consumed == 64 - self.pad
    }

    fn overflowed(&self) -> bool {
        self.ptr == 0 && self.consumed > 64 - self.pad
    }
}

/// Forward bit reader (FSE table descriptions): least significant bits first.
struct FwdBits<'a> {
    src: &'a [u8],
    bit: usize,
}

impl FwdBits<'_> {
    fn read(&mut self, n: u32) -> R<u32> {
        let byte = self.bit >> 3;
        let shift = (self.bit & 7) as u32;
        if byte >= self.src.len() {
            return Err(F("truncated FSE table description"));
        }
        let mut w = 0u64;
        for (i, b) in self.src.iter().skip(byte).take(8).enumerate() {
            w |= u64::from(*b) << (8 * i);
        }
        self.bit = self.bit.wrapping_add(n as usize);
        if self.bit > self.src.len() * 8 {
            return Err(F("truncated FSE table description"));
        }
        Ok(((w >> shift) & ((1u64 << n) - 1)) as u32)
    }
    fn peek(&self, n: u32) -> u32 {
        let byte = self.bit >> 3;
        let shift = (self.bit & 7) as u32;
        let mut w = 0u64;
        for (i, b) in self.src.iter().skip(byte).take(8).enumerate() {
            w |= u64::from(*b) << (8 * i);
        }
        ((w >> shift) & ((1u64 << n) - 1)) as u32
    }
}

// ---------------------------------------------------------------------------------------
// FSE

#[derive(Clone, Copy, Default, Debug)]
struct FseEntry {
    symbol: u8,
    nbits: u8,
    base: u16,
}

#[derive(Clone, Default, Debug)]
struct FseTable {
    log: u32,
    entries: Vec<FseEntry>,
}

impl FseTable {
    /// Build the decoding table of a normalised distribution (`-1` = "less than 1").
    fn build(norm: &[i16], log: u32) -> R<Self> {
        let size = 1usize << log;
        let mut symbols = vec![0u8; size];
        let mut next = vec![0u32; norm.len()];
        Self::spread(norm, log, &mut symbols, &mut next)?;
        let mut entries = Vec::with_capacity(size);
        for &symbol in &symbols {
            let (nbits, base) = Self::transition(&mut next, symbol, log)?;
            entries.push(FseEntry { symbol, nbits, base });
        }
        Ok(FseTable { log, entries })
    }

    /// Spread the symbols of `norm` over the `1 << log` states (`symbols`, that long),
    /// "less than 1" symbols at the end (RFC 8878 § 4.1.1); `next[s]` (`norm.len()` long)
    /// receives each symbol's first state number.
    fn spread(norm: &[i16], log: u32, symbols: &mut [u8], next: &mut [u32]) -> R<()> {
        let size = 1usize << log;
        let mut high = size - 1;
        for (s, (&n, nx)) in norm.iter().zip(next.iter_mut()).enumerate() {
            if n == -1 {
                *symbols.get_mut(high).ok_or(F("FSE table overflow"))? = s as u8;
                high = high.checked_sub(1).ok_or(F("FSE table overflow"))?;
                *nx = 1;
            } else {
                *nx = u32::try_from(n).map_err(|_| F("bad FSE count"))?;
            }
        }
        let step = (size >> 1) + (size >> 3) + 3;
        let mask = size - 1;
        let mut pos = 0usize;
        for (s, &n) in norm.iter().enumerate() {
            for _ in 0..n.max(0) {
                if let Some(e) = symbols.get_mut(pos) {
                    *e = s as u8;
                }
                pos = (pos + step) & mask;
                while pos > high {
                    pos = (pos + step) & mask;
                }
            }
        }
        if pos != 0 {
            return Err(F("FSE distribution does not fill its table"));
        }
        Ok(())
    }

    /// The next state of `symbol`'s next occurrence: its bit count and baseline.
    #[inline(always)]
    fn transition(next: &mut [u32], symbol: u8, log: u32) -> R<(u8, u16)> {
        let nx = next.get_mut(usize::from(symbol)).ok_or(F("FSE symbol"))?;
        let state = *nx;
        *nx += 1;
        if state == 0 {
            return Err(F("FSE state"));
        }
        let nbits = log - (31 - state.leading_zeros());
        Ok((nbits as u8, ((state << nbits) as usize).wrapping_sub(1usize << log) as u16))
    }

    /// Read a table description (RFC 8878 § 4.1.1) from the start of `src`; returns the
    /// table and the bytes used.
    fn read(src: &[u8], max_log: u32, max_symbol: usize) -> R<(Self, usize)> {
        let (norm, log, used) = read_norm(src, max_log, max_symbol)?;
        Ok((FseTable::build(&norm, log)?, used))
    }
}

/// Read an FSE table description (RFC 8878 § 4.1.1) from the start of `src`: the
/// normalised counts, the accuracy log and the bytes used.
fn read_norm(src: &[u8], max_log: u32, max_symbol: usize) -> R<(Vec<i16>, u32, usize)> {
    {
        let mut br = FwdBits { src, bit: 0 };
        let log = br.read(4)? + 5;
        if log > max_log {
            return Err(F("FSE accuracy log too large"));
        }
        let mut remaining: i32 = (1 << log) + 1;
        let mut threshold: i32 = 1 << log;
        let mut nbits = log + 1;
        let mut norm: Vec<i16> = Vec::with_capacity(max_symbol + 1);
        let mut prev0 = false;
        while remaining > 1 {
            if prev0 {
                loop {
                    let r = br.read(2)?;
                    norm.resize(norm.len() + r as usize, 0);
                    if r != 3 {
                        break;
                    }
                    if norm.len() > max_symbol + 1 {
                        return Err(F("FSE zero run too long"));
                    }
                }
            }
            if norm.len() > max_symbol {
                return Err(F("too many FSE symbols"));
            }
            let max = (2 * threshold - 1) - remaining;
            let low = br.peek(nbits - 1) as i32;
            let mut count;
            if low < max {
                count = low;
                br.read(nbits - 1)?;
            } else {
                count = br.read(nbits)? as i32;
                if count >= threshold {
                    count -= max;
                }
            }
            count -= 1;
            remaining -= count.abs();
            norm.push(count as i16);
            prev0 = count == 0;
            while remaining < threshold && nbits > 1 {
                nbits -= 1;
                threshold >>= 1;
            }
        }
        if remaining != 1 || norm.len() > max_symbol + 1 {
            return Err(F("corrupt FSE distribution"));
        }
        let used = br.bit.div_ceil(8);
        Ok((norm, log, used))
    }
}

const LL_DEFAULT: [i16; 36] =
    [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
const ML_DEFAULT: [i16; 53] = [
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
];
const OF_DEFAULT: [i16; 29] =
    [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

const LL_BASE: [u32; 36] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024,
    2048, 4096, 8192, 16384, 32768, 65536,
];
const LL_BITS: [u8; 36] =
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const ML_BASE: [u32; 53] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
    33, 34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
];
const ML_BITS: [u8; 53] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2,
    3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
];

/// The three kinds of sequence symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SeqKind {
    LiteralLength,
    Offset,
    MatchLength,
}

/// One state of a sequence decoding table (libzstd's `ZSTD_seqSymbol`): the symbol's
/// baseline value and extra bits (RFC 8878 § 3.1.1.3.2.1.1; offsets `1 << code`, `code`
/// bits) folded in when the table is built, and the FSE transition (`next` + `nbits`).
#[derive(Clone, Copy, Default, Debug)]
struct SeqEntry {
    base: u32,
    extra: u8,
    nbits: u8,
    next: u16,
}

/// Entries of a sequence table: the largest accuracy log is 9.
const SEQ_MAX: usize = 512;

/// A sequence decoding table of `1 << log` states, padded to 512 so that a state masked
/// with 511 indexes it without a bounds check (states are below `1 << log` by
/// construction: `next + read(nbits) < 1 << log`).
#[derive(Clone, Debug)]
struct SeqTable {
    log: u32,
    entries: Box<[SeqEntry; SEQ_MAX]>,
}

impl SeqTable {
    /// The decoding table of the normalised distribution `norm` with the baselines and
    /// extra bits of `kind` folded in, in one pass over a stack copy of the spread
    /// symbols ([`FseTable::spread`]); `reuse` gives its storage (the frame's previous
    /// table of this kind).
    fn build(norm: &[i16], log: u32, kind: SeqKind, reuse: Option<SeqTable>) -> R<Self> {
        let size = 1usize << log;
        let mut symbols = [0u8; SEQ_MAX];
        let mut next = [0u32; 64];
        FseTable::spread(
            norm,
            log,
            symbols.get_mut(..size).ok_or(F("FSE table too large"))?,
            next.get_mut(..norm.len()).ok_or(F("too many FSE symbols"))?,
        )?;
        let mut entries = match reuse {
            Some(t) => t.entries,
            None => Box::new([SeqEntry::default(); SEQ_MAX]),
        };
        for (d, &sym) in entries.iter_mut().zip(symbols.iter().take(size)) {
            let (nbits, next_state) = FseTable::transition(&mut next, sym, log)?;
            let (base, extra) = Self::baseline(kind, usize::from(sym))?;
            *d = SeqEntry { base, extra, nbits, next: next_state };
        }
        Ok(SeqTable { log, entries })
    }

    /// The baseline and extra bits of symbol `s` of `kind`.
    #[inline(always)]
    fn baseline(kind: SeqKind, s: usize) -> R<(u32, u8)> {
        Ok(match kind {
            SeqKind::LiteralLength => {
                (*LL_BASE.get(s).ok_or(F("literal length code"))?, *LL_BITS.get(s).ok_or(F("literal length code"))?)
            }
            SeqKind::MatchLength => {
                (*ML_BASE.get(s).ok_or(F("match length code"))?, *ML_BITS.get(s).ok_or(F("match length code"))?)
            }
            SeqKind::Offset if s <= 31 => (1u32 << s, s as u8),
            SeqKind::Offset => return Err(F("offset code too large")),
        })
    }

    /// The table of RLE mode: one state, symbol `s`.
    fn rle(s: u8, kind: SeqKind) -> R<Self> {
        let (base, extra) = Self::baseline(kind, usize::from(s))?;
        let mut entries = Box::new([SeqEntry::default(); SEQ_MAX]);
        if let Some(e) = entries.first_mut() {
            *e = SeqEntry { base, extra, nbits: 0, next: 0 };
        }
        Ok(SeqTable { log: 0, entries })
    }

    /// The predefined table of `kind` (RFC 8878 § 3.1.1.3.2.2), built once per thread.
    fn predefined(kind: SeqKind) -> R<Self> {
        thread_local! {
            static CACHE: core::cell::RefCell<[Option<SeqTable>; 3]> = const { core::cell::RefCell::new([None, None, None]) };
        }
        let (norm, log, i): (&[i16], u32, usize) = match kind {
            SeqKind::LiteralLength => (&LL_DEFAULT, 6, 0),
            SeqKind::Offset => (&OF_DEFAULT, 5, 1),
            SeqKind::MatchLength => (&ML_DEFAULT, 6, 2),
        };
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            let slot = c.get_mut(i).ok_or(F("table kind"))?;
            if slot.is_none() {
                *slot = Some(SeqTable::build(norm, log, kind, None)?);
            }
            slot.clone().ok_or(F("table kind"))
        })
    }

    #[inline(always)]
    fn at(&self, state: usize) -> SeqEntry {
        self.entries.get(state & (SEQ_MAX - 1)).copied().unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------
// Huffman

#[derive(Clone, Debug)]
struct HufTable {
    /// The table widened to 11 bits (the largest log): entry `i` is the code whose
    /// `log`-bit prefix is `i >> (11 - log)`,
    /// packed as `symbol | nbits << 8`, so a lookup always peeks 11 bits and indexes a
    /// fixed-size array (no bounds check survives the mask).
    wide: Box<[u16; 2048]>,
}

/// One Huffman symbol: peek 11 bits, look up, consume the code length.
#[inline(always)]
fn huf_sym(br: &mut BackBits<'_>, wide: &[u16; 2048]) -> u8 {
    let idx = (br.c.wrapping_shl(br.consumed) >> 53) as usize;
    let e = wide.get(idx & 2047).copied().unwrap_or(0);
    br.consumed = br.consumed.wrapping_add(u32::from(e >> 8));
    e as u8
}

/// A stream's state in the fast Huffman loop: unread bits left-aligned, the bits consumed
/// of the current window, the window's start.
type FastBits = (u64, u32, usize);

fn src_of<'a>(br: &BackBits<'a>) -> &'a [u8] {
    br.src
}

/// Refill a fast stream (its window start is at least 8): as [`BackBits::reload`].
#[inline(always)]
fn fast_reload(f: &mut FastBits, src: &[u8]) {
    let (bits, consumed, ptr) = f;
    *ptr -= (*consumed >> 3) as usize;
    *consumed &= 7;
    *bits = load64(src, *ptr) << *consumed;
}

/// One Huffman symbol of a fast stream: the top 11 bits index the table, shift out the
/// code length.
#[inline(always)]
fn fast_sym(f: &mut FastBits, wide: &[u16; 2048]) -> u8 {
    let e = wide.get((f.0 >> 53) as usize & 2047).copied().unwrap_or(0);
    let n = u32::from(e >> 8);
    f.0 = f.0.wrapping_shl(n);
    f.1 = f.1.wrapping_add(n);
    e as u8
}

/// Decode `out.len()` symbols from `br` (the tail of a stream). Five symbols per refill:
/// a refill leaves at least 57 bits, codes are at most 11.
#[inline(always)]
fn huf_run(br: &mut BackBits<'_>, wide: &[u16; 2048], out: &mut [u8]) {
    let mut chunks = out.chunks_exact_mut(5);
    for c in &mut chunks {
        br.reload();
        for o in c.iter_mut() {
            *o = huf_sym(br, wide);
        }
    }
    br.reload();
    for o in chunks.into_remainder() {
        *o = huf_sym(br, wide);
    }
}

impl HufTable {
    /// Read a Huffman tree description (RFC 8878 § 4.2.1); returns the table and bytes used.
    fn read(src: &[u8]) -> R<(Self, usize)> {
        let h = usize::from(*src.first().ok_or(F("truncated Huffman tree"))?);
        let mut weights: Vec<u8> = Vec::with_capacity(256);
        let used;
        if h < 128 {
            // FSE-compressed weights, two interleaved states.
            let body = src.get(1..1 + h).ok_or(F("truncated Huffman weights"))?;
            let (fse, n) = FseTable::read(body, 6, 255)?;
            let mut br = BackBits::new(body.get(n..).ok_or(F("Huffman weights"))?)?;
            br.reload();
            let mut s1 = br.read(fse.log) as usize;
            let mut s2 = br.read(fse.log) as usize;
            loop {
                let e1 = *fse.entries.get(s1).ok_or(F("FSE state"))?;
                weights.push(e1.symbol);
                br.reload();
                s1 = usize::from(e1.base) + br.read(u32::from(e1.nbits)) as usize;
                if br.overflowed() {
                    weights.push(fse.entries.get(s2).ok_or(F("FSE state"))?.symbol);
                    break;
                }
                let e2 = *fse.entries.get(s2).ok_or(F("FSE state"))?;
                weights.push(e2.symbol);
                s2 = usize::from(e2.base) + br.read(u32::from(e2.nbits)) as usize;
                if br.overflowed() {
                    weights.push(fse.entries.get(s1).ok_or(F("FSE state"))?.symbol);
                    break;
                }
                if weights.len() > 255 {
                    return Err(F("too many Huffman weights"));
                }
            }
            used = 1 + h;
        } else {
            let n = h - 127;
            let body = src.get(1..1 + n.div_ceil(2)).ok_or(F("truncated Huffman weights"))?;
            for i in 0..n {
                let b = body.get(i / 2).copied().unwrap_or(0);
                weights.push(if i % 2 == 0 { b >> 4 } else { b & 15 });
            }
            used = 1 + n.div_ceil(2);
        }
        if weights.len() > 255 {
            return Err(F("too many Huffman weights"));
        }
        let mut total: u32 = 0;
        for &w in &weights {
            if w > 11 {
                return Err(F("Huffman weight too large"));
            }
            if w > 0 {
                total += 1 << (w - 1);
            }
        }
        if total == 0 {
            return Err(F("empty Huffman tree"));
        }
        let log = 32 - total.leading_zeros(); // highbit(total) + 1
        if log > 11 {
            return Err(F("Huffman table log too large"));
        }
        let rest = (1u32 << log) - total;
        if !rest.is_power_of_two() {
            return Err(F("Huffman weights do not complete a tree"));
        }
        weights.push((32 - rest.leading_zeros()) as u8); // highbit(rest) + 1
                                                         // Canonical table: lower weights first, then symbol order.
        let mut rank_start = [0u32; 13];
        let mut count = [0u32; 13];
        for &w in &weights {
            if let Some(c) = count.get_mut(usize::from(w)) {
                *c += 1;
            }
        }
        let mut next = 0u32;
        for w in 1..=log as usize {
            if let (Some(r), Some(&c)) = (rank_start.get_mut(w), count.get(w)) {
                *r = next;
                next += c << (w - 1);
            }
        }
        // Straight into the 11-bit table: a symbol of weight `w` covers `1 << (w - 1)`
        // codes of the `log`-bit table, `1 << (w - 1 + 11 - log)` entries here.
        let mut wide = Box::new([0u16; 2048]);
        let shift = 11 - log;
        for (sym, &w) in weights.iter().enumerate() {
            if w == 0 {
                continue;
            }
            let r = rank_start.get_mut(usize::from(w)).ok_or(F("Huffman table"))?;
            let len = 1usize << (w - 1);
            let start = *r as usize;
            *r += len as u32;
            let e = sym as u16 | ((log + 1 - u32::from(w)) as u16) << 8;
            wide.get_mut(start << shift..(start + len) << shift).ok_or(F("Huffman table"))?.fill(e);
        }
        Ok((HufTable { wide }, used))
    }

    /// Decode one stream into exactly `out.len()` symbols.
    fn decode_stream(&self, src: &[u8], out: &mut [u8]) -> R<()> {
        let mut br = BackBits::new(src)?;
        huf_run(&mut br, &self.wide, out);
        if !br.finished() {
            return Err(F("Huffman stream not consumed exactly"));
        }
        Ok(())
    }

    /// Decode four streams, interleaved (independent dependency chains run in parallel),
    /// into `o1..o4` (`o4` may be shorter than the others).
    fn decode4(&self, s: [&[u8]; 4], o1: &mut [u8], o2: &mut [u8], o3: &mut [u8], o4: &mut [u8]) -> R<()> {
        let w = &*self.wide;
        let [s1, s2, s3, s4] = s;
        let (mut b1, mut b2, mut b3, mut b4) =
            (BackBits::new(s1)?, BackBits::new(s2)?, BackBits::new(s3)?, BackBits::new(s4)?);
        let n = o4.len().min(o1.len()) / 5 * 5;
        // While every stream's window can move back a whole refill (`ptr >= 8`), keep each
        // stream's unread bits left-aligned in a local (`bits = c << consumed`): a symbol is
        // then shift → table load → shift, two operations shorter than peeking at
        // `consumed` each time (libzstd's fast 4X1 loop).
        let mut i = 0;
        {
            let (mut f1, mut f2, mut f3, mut f4) = (b1.fast(), b2.fast(), b3.fast(), b4.fast());
            while i + 5 <= n && f1.2 >= 8 && f2.2 >= 8 && f3.2 >= 8 && f4.2 >= 8 {
                let (x1, x2) = (o1.get_mut(i..i + 5).unwrap_or_default(), o2.get_mut(i..i + 5).unwrap_or_default());
                let (x3, x4) = (o3.get_mut(i..i + 5).unwrap_or_default(), o4.get_mut(i..i + 5).unwrap_or_default());
                let (s1, s2, s3, s4) = (src_of(&b1), src_of(&b2), src_of(&b3), src_of(&b4));
                fast_reload(&mut f1, s1);
                fast_reload(&mut f2, s2);
                fast_reload(&mut f3, s3);
                fast_reload(&mut f4, s4);
                for (((y1, y2), y3), y4) in x1.iter_mut().zip(x2.iter_mut()).zip(x3.iter_mut()).zip(x4.iter_mut()) {
                    *y1 = fast_sym(&mut f1, w);
                    *y2 = fast_sym(&mut f2, w);
                    *y3 = fast_sym(&mut f3, w);
                    *y4 = fast_sym(&mut f4, w);
                }
                i += 5;
            }
            b1.set_fast(f1);
            b2.set_fast(f2);
            b3.set_fast(f3);
            b4.set_fast(f4);
        }
        {
            let c1 = o1.get_mut(i..n).unwrap_or_default().chunks_exact_mut(5);
            let c2 = o2.get_mut(i..n).unwrap_or_default().chunks_exact_mut(5);
            let c3 = o3.get_mut(i..n).unwrap_or_default().chunks_exact_mut(5);
            let c4 = o4.get_mut(i..n).unwrap_or_default().chunks_exact_mut(5);
            for (((x1, x2), x3), x4) in c1.zip(c2).zip(c3).zip(c4) {
                b1.reload();
                b2.reload();
                b3.reload();
                b4.reload();
                for (((y1, y2), y3), y4) in x1.iter_mut().zip(x2.iter_mut()).zip(x3.iter_mut()).zip(x4.iter_mut()) {
                    *y1 = huf_sym(&mut b1, w);
                    *y2 = huf_sym(&mut b2, w);
                    *y3 = huf_sym(&mut b3, w);
                    *y4 = huf_sym(&mut b4, w);
                }
            }
        }
        for (br, o) in [(&mut b1, o1), (&mut b2, o2), (&mut b3, o3), (&mut b4, o4)] {
            huf_run(br, w, o.get_mut(n..).unwrap_or_default());
            if !br.finished() {
                return Err(F("Huffman stream not consumed exactly"));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Frames and blocks

/// Decoder state carried across the blocks of a frame.
struct FrameState {
    huf: Option<HufTable>,
    ll: Option<SeqTable>,
    of: Option<SeqTable>,
    ml: Option<SeqTable>,
    rep: [usize; 3],
    literals: Vec<u8>,
}

use super::common::Sink;

/// Decode the frame at the start of `src`, appending to `out` (never past `cap` bytes in
/// total); returns the bytes of `src` used. Skippable frames are the caller's business.
pub fn decode_frame(src: &[u8], out: &mut Vec<u8>, cap: usize) -> R<usize> {
    let start = out.len();
    match frame(src, out, start, cap) {
        Ok((used, end)) => {
            out.truncate(end);
            Ok(used)
        }
        Err(e) => {
            out.truncate(start); // drop a partial frame
            Err(e)
        }
    }
}

/// Decode the frame at the start of `src` into `out[start..]` (a fixed slice the frame
/// must fit in); returns the bytes of `src` used and the end of the decoded bytes.
///
/// # Errors
/// As [`decode_frame`]; `TooLarge` when the frame does not fit.
pub fn decode_frame_into(src: &[u8], out: &mut [u8], start: usize) -> R<(usize, usize)> {
    let cap = out.len();
    frame(src, out, start, cap)
}

/// The frame decoder behind [`decode_frame`] and [`decode_frame_into`]: returns the bytes
/// of `src` used and the end of the decoded bytes in `out`.
fn frame<S: Sink + ?Sized>(src: &[u8], out: &mut S, start: usize, cap: usize) -> R<(usize, usize)> {
    let magic = le32(src, 0).ok_or(F("truncated frame"))?;
    if magic != MAGIC {
        return Err(F("bad magic number"));
    }
    let fhd = *src.get(4).ok_or(F("truncated frame header"))?;
    let single = fhd & 0x20 != 0;
    if fhd & 0x08 != 0 {
        return Err(F("reserved frame header bit set"));
    }
    let checksum = fhd & 0x04 != 0;
    let did_size = match fhd & 3 {
        0 => 0usize,
        1 => 1,
        2 => 2,
        _ => 4,
    };
    let fcs_size = match fhd >> 6 {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let mut pos = 5 + usize::from(!single);
    let did = src.get(pos..pos + did_size).ok_or(F("truncated frame header"))?;
    if did.iter().any(|&b| b != 0) {
        return Err(ZstdError::Unsupported("frames that need a dictionary"));
    }
    pos += did_size;
    let fcs_bytes = src.get(pos..pos + fcs_size).ok_or(F("truncated frame header"))?;
    let mut fcs: Option<u64> = None;
    if fcs_size > 0 {
        let mut v = 0u64;
        for (i, b) in fcs_bytes.iter().enumerate() {
            v |= u64::from(*b) << (8 * i);
        }
        fcs = Some(if fcs_size == 2 { v + 256 } else { v });
    }
    pos += fcs_size;
    if let Some(n) = fcs {
        if n > cap.saturating_sub(start) as u64 {
            return Err(ZstdError::TooLarge);
        }
        // Trust the declared size only as far as the input could plausibly expand.
        let n = (n as usize).min(src.len().saturating_mul(1024));
        if !out.room(start + n, cap, None) {
            return Err(ZstdError::TooLarge);
        }
    }
    let mut st = FrameState { huf: None, ll: None, of: None, ml: None, rep: [1, 4, 8], literals: Vec::new() };
    // `op` is the write position; `out` is kept at least that long, zero-extended ahead.
    let mut op = start;
    loop {
        let h = src.get(pos..pos + 3).ok_or(F("truncated block header"))?;
        let h = h.iter().rev().fold(0u32, |a, &b| a << 8 | u32::from(b));
        pos += 3;
        let last = h & 1 != 0;
        let size = (h >> 3) as usize;
        match (h >> 1) & 3 {
            0 => {
                let b = src.get(pos..pos + size).ok_or(F("truncated raw block"))?;
                ensure(out, op, size, cap)?;
                out.buf().get_mut(op..op + size).ok_or(F("output"))?.copy_from_slice(b);
                op += size;
                pos += size;
            }
            1 => {
                let b = *src.get(pos).ok_or(F("truncated RLE block"))?;
                if size > MAX_BLOCK {
                    return Err(F("RLE block too large"));
                }
                ensure(out, op, size, cap)?;
                out.buf().get_mut(op..op + size).ok_or(F("output"))?.fill(b);
                op += size;
                pos += 1;
            }
            2 => {
                if size > MAX_BLOCK {
                    return Err(F("compressed block too large"));
                }
                let b = src.get(pos..pos + size).ok_or(F("truncated compressed block"))?;
                op = decode_block(b, out, start, op, cap, &mut st)?;
                pos += size;
            }
            _ => return Err(F("reserved block type")),
        }
        if last {
            break;
        }
    }
    if let Some(n) = fcs {
        if (op - start) as u64 != n {
            return Err(F("frame content size does not match the decoded size"));
        }
    }
    if checksum {
        let c = src.get(pos..pos + 4).ok_or(F("truncated checksum"))?;
        let stored = le32(c, 0).ok_or(F("truncated checksum"))?;
        let computed = xxh64(out.buf().get(start..op).unwrap_or_default(), 0) as u32;
        if stored != computed {
            return Err(ZstdError::Checksum(stored, computed));
        }
        pos += 4;
    }
    Ok((pos, op))
}

/// Make `out[..op + n]` writable, within `cap`.
#[inline]
fn ensure<S: Sink + ?Sized>(out: &mut S, op: usize, n: usize, cap: usize) -> R<()> {
    let need = op.checked_add(n).ok_or(ZstdError::TooLarge)?;
    if out.room(need, cap, Some(64)) {
        Ok(())
    } else {
        Err(ZstdError::TooLarge)
    }
}

/// Decode one compressed block into `out` at `op` (the frame starts at `fstart`); returns
/// the new write position.
fn decode_block<S: Sink + ?Sized>(
    b: &[u8],
    out: &mut S,
    fstart: usize,
    mut op: usize,
    cap: usize,
    st: &mut FrameState,
) -> R<usize> {
    let (used, raw) = decode_literals(b, st)?;
    let seqs = b.get(used..).ok_or(F("truncated block"))?;
    let b0 = usize::from(*seqs.first().ok_or(F("truncated sequences header"))?);
    let (nseq, mut p) = if b0 < 128 {
        (b0, 1)
    } else if b0 < 255 {
        (((b0 - 128) << 8) + usize::from(*seqs.get(1).ok_or(F("sequences header"))?), 2)
    } else {
        let lo = usize::from(*seqs.get(1).ok_or(F("sequences header"))?);
        let hi = usize::from(*seqs.get(2).ok_or(F("sequences header"))?);
        (lo + (hi << 8) + 0x7F00, 3)
    };
    let mut decoded = std::mem::take(&mut st.literals);
    // Slack after the literals: short literal runs are copied as 16 or 32 bytes (raw
    // literals have the block's sequence section after them).
    let (lits, nlits): (&[u8], usize) = match raw {
        Some(at) => (b.get(at..).unwrap_or_default(), used - at),
        None => {
            let n = decoded.len();
            decoded.resize(n + 32, 0);
            (&decoded, n)
        }
    };
    let result = (|| {
        let l = lits.get(..nlits).unwrap_or_default();
        if nseq == 0 {
            ensure(out, op, nlits, cap)?;
            out.buf().get_mut(op..op + nlits).ok_or(F("output"))?.copy_from_slice(l);
            return Ok(op + nlits);
        }
        let modes = *seqs.get(p).ok_or(F("truncated sequences header"))?;
        p += 1;
        if modes & 3 != 0 {
            return Err(F("reserved sequence mode bits"));
        }
        table(seqs, &mut p, modes >> 6, &mut st.ll, SeqKind::LiteralLength, 9, 35)?;
        table(seqs, &mut p, (modes >> 4) & 3, &mut st.of, SeqKind::Offset, 8, 31)?;
        table(seqs, &mut p, (modes >> 2) & 3, &mut st.ml, SeqKind::MatchLength, 9, 52)?;
        let stream = seqs.get(p..).ok_or(F("truncated sequences"))?;
        let tables = (
            st.ll.as_ref().ok_or(F("no literal length table"))?,
            st.of.as_ref().ok_or(F("no offset table"))?,
            st.ml.as_ref().ok_or(F("no match length table"))?,
        );
        execute(stream, nseq, tables, (lits, nlits), out, fstart, op, cap, &mut st.rep)
    })();
    st.literals = decoded;
    op = result?;
    Ok(op)
}

/// Resolve the FSE table for one symbol type from its mode (0 predefined, 1 RLE, 2 FSE
/// description, 3 repeat), reading from `src` at `*p`.
fn table(
    src: &[u8],
    p: &mut usize,
    mode: u8,
    slot: &mut Option<SeqTable>,
    kind: SeqKind,
    max_log: u32,
    max_symbol: usize,
) -> R<()> {
    match mode {
        0 => *slot = Some(SeqTable::predefined(kind)?),
        1 => {
            let s = *src.get(*p).ok_or(F("truncated RLE symbol"))?;
            if usize::from(s) > max_symbol {
                return Err(F("RLE symbol out of range"));
            }
            *p += 1;
            *slot = Some(SeqTable::rle(s, kind)?);
        }
        2 => {
            let (norm, log, n) = read_norm(src.get(*p..).ok_or(F("truncated FSE table"))?, max_log, max_symbol)?;
            *p += n;
            *slot = Some(SeqTable::build(&norm, log, kind, slot.take())?);
        }
        _ => {
            if slot.is_none() {
                return Err(F("repeat mode without a previous table"));
            }
        }
    }
    Ok(())
}

/// Decode and execute the sequences (RFC 8878 § 3.1.1.4 and 3.1.2), libzstd's way: the
/// bit container is refilled once per sequence (56 bits: the offset, match and literal
/// extra bits, with one more refill only when they exceed 30, then the three state
/// updates of at most 9 + 9 + 8 bits).
#[allow(clippy::too_many_arguments)]
fn execute<S: Sink + ?Sized>(
    stream: &[u8],
    nseq: usize,
    (llt, oft, mlt): (&SeqTable, &SeqTable, &SeqTable),
    (lits, nlits): (&[u8], usize),
    out: &mut S,
    fstart: usize,
    mut op: usize,
    cap: usize,
    rep_io: &mut [usize; 3],
) -> R<usize> {
    // The repeat offsets in locals (written back at the end): no store-to-load round trip
    // through memory on the sequence chain.
    let [mut r0, mut r1, mut r2] = *rep_io;
    let mut br = BackBits::new(stream)?;
    br.reload();
    let mut lls = br.read(llt.log) as usize;
    let mut ofs = br.read(oft.log) as usize;
    let mut mls = br.read(mlt.log) as usize;
    let mut lp = 0usize; // literal position
    for i in 0..nseq {
        br.reload();
        let (lle, ofe, mle) = (llt.at(lls), oft.at(ofs), mlt.at(mls));
        let (ofx, mlx, llx) = (u32::from(ofe.extra), u32::from(mle.extra), u32::from(lle.extra));
        let ofv = ofe.base as usize + br.read(ofx) as usize;
        if ofx + mlx + llx > 30 {
            br.reload();
        }
        let ml = mle.base as usize + br.read(mlx) as usize;
        let ll = lle.base as usize + br.read(llx) as usize;
        if i + 1 < nseq {
            if ofx + mlx + llx > 30 {
                br.reload();
            }
            // The three state updates (9 + 9 + 8 bits at most) from one look.
            let (lln, mln, ofn) = (u32::from(lle.nbits), u32::from(mle.nbits), u32::from(ofe.nbits));
            let v = br.read(lln + mln + ofn) as usize;
            lls = usize::from(lle.next) + (v >> (mln + ofn));
            mls = usize::from(mle.next) + ((v >> ofn) & ((1usize << mln) - 1));
            ofs = usize::from(ofe.next) + (v & ((1usize << ofn) - 1));
        }
        // Offset with the repeat-offset rules (RFC 8878 § 3.1.1.5).
        let offset = if ofv > 3 {
            r2 = r1;
            r1 = r0;
            r0 = ofv - 3;
            r0
        } else {
            let idx = ofv - 1 + usize::from(ll == 0);
            if idx == 0 {
                r0
            } else {
                let o = match idx {
                    1 => r1,
                    2 => r2,
                    _ => r0.wrapping_sub(1),
                };
                if o == 0 {
                    return Err(F("zero repeat offset"));
                }
                if idx > 1 {
                    r2 = r1;
                }
                r1 = r0;
                r0 = o;
                o
            }
        };
        // Literals then the match.
        let need = ll.checked_add(ml).ok_or(F("sequence too long"))?;
        ensure(out, op, need, cap)?;
        let o = out.buf();
        let lend = lp.checked_add(ll).filter(|&e| e <= nlits).ok_or(F("literals overrun"))?;
        // Literals: 16 bytes whatever the length when both sides have room (the extra
        // bytes are rewritten later), then the rest; one data-dependent branch for the
        // commonest case instead of a length test per copy.
        let quick = ll <= 32 && lp + 32 <= lits.len() && op + 32 <= o.len();
        if quick {
            // SAFETY: `lp + 32 <= lits.len()` and `op + 32 <= o.len()` (just checked).
            unsafe {
                copy16_raw(lits.as_ptr().add(lp), o.as_mut_ptr().add(op));
                if ll > 16 {
                    copy16_raw(lits.as_ptr().add(lp + 16), o.as_mut_ptr().add(op + 16));
                }
            }
        } else {
            o.get_mut(op..op + ll).ok_or(F("output"))?.copy_from_slice(lits.get(lp..lend).ok_or(F("literals"))?);
        }
        lp = lend;
        op += ll;
        if offset > op - fstart {
            return Err(F("match offset before the frame start"));
        }
        let from = op - offset;
        if offset >= 16 && ml <= 48 && op + 48 <= o.len() {
            // The first 16 bytes unconditionally, then two more copies for longer matches;
            // each reads bytes already final (`offset >= 16`).
            let p = o.as_mut_ptr();
            // SAFETY: `from < op` and `op + 48 <= o.len()` (checked): every access is inside `o`.
            unsafe {
                copy16_raw(p.add(from), p.add(op));
                if ml > 16 {
                    copy16_raw(p.add(from + 16), p.add(op + 16));
                    copy16_raw(p.add(from + 32), p.add(op + 32));
                }
            }
        } else {
            copy_match(o, from, op, ml);
        }
        op += ml;
    }
    *rep_io = [r0, r1, r2];
    br.reload();
    if !br.finished() {
        return Err(F("sequence stream not consumed exactly"));
    }
    let rest = lits.get(lp..nlits).unwrap_or_default();
    ensure(out, op, rest.len(), cap)?;
    out.buf().get_mut(op..op + rest.len()).ok_or(F("output"))?.copy_from_slice(rest);
    Ok(op + rest.len())
}

/// Decode the literals section at the start of block `b` into `st.literals`; returns the
/// bytes used and, for raw literals (left in the block, `st.literals` empty), where they
/// start in `b`.
fn decode_literals(b: &[u8], st: &mut FrameState) -> R<(usize, Option<usize>)> {
    let b0 = *b.first().ok_or(F("truncated literals header"))?;
    let ty = b0 & 3;
    let sf = (b0 >> 2) & 3;
    let byte = |i: usize| b.get(i).copied().map(usize::from).ok_or(F("truncated literals header"));
    let lits = &mut st.literals;
    if ty < 2 {
        let (size, hl) = match sf {
            0 | 2 => (usize::from(b0 >> 3), 1),
            1 => (usize::from(b0 >> 4) + (byte(1)? << 4), 2),
            _ => (usize::from(b0 >> 4) + (byte(1)? << 4) + (byte(2)? << 12), 3),
        };
        if size > MAX_BLOCK {
            return Err(F("literals too large"));
        }
        lits.clear();
        if ty == 0 {
            // Raw literals stay in the block: no copy.
            b.get(hl..hl + size).ok_or(F("truncated raw literals"))?;
            Ok((hl + size, Some(hl)))
        } else {
            lits.resize(size, *b.get(hl).ok_or(F("truncated RLE literals"))?);
            Ok((hl + 1, None))
        }
    } else {
        let (regen, comp, hl, four) = match sf {
            0 | 1 => {
                let c = usize::from(b0) | byte(1)? << 8 | byte(2)? << 16;
                ((c >> 4) & 0x3FF, (c >> 14) & 0x3FF, 3, sf == 1)
            }
            2 => {
                let c = usize::from(b0) | byte(1)? << 8 | byte(2)? << 16 | byte(3)? << 24;
                ((c >> 4) & 0x3FFF, (c >> 18) & 0x3FFF, 4, true)
            }
            _ => {
                let c = (usize::from(b0) | byte(1)? << 8 | byte(2)? << 16 | byte(3)? << 24) as u64
                    | (byte(4)? as u64) << 32;
                (((c >> 4) & 0x3FFFF) as usize, ((c >> 22) & 0x3FFFF) as usize, 5, true)
            }
        };
        if regen > MAX_BLOCK {
            return Err(F("literals too large"));
        }
        let mut data = b.get(hl..hl + comp).ok_or(F("truncated compressed literals"))?;
        if ty == 2 {
            let (t, n) = HufTable::read(data)?;
            st.huf = Some(t);
            data = data.get(n..).ok_or(F("truncated literals"))?;
        }
        let huf = st.huf.as_ref().ok_or(F("treeless literals without a previous tree"))?;
        lits.clear();
        lits.resize(regen, 0);
        if !four {
            huf.decode_stream(data, lits)?;
        } else {
            let j = data.get(..6).ok_or(F("truncated jump table"))?;
            let le16 =
                |i: usize| j.get(i..i + 2).map_or(0, |b| b.iter().rev().fold(0usize, |a, &x| a << 8 | usize::from(x)));
            let (s1, s2, s3) = (le16(0), le16(2), le16(4));
            let body = data.get(6..).unwrap_or_default();
            let (a, rest) = body.split_at_checked(s1).ok_or(F("jump table"))?;
            let (bb, rest) = rest.split_at_checked(s2).ok_or(F("jump table"))?;
            let (c, d) = rest.split_at_checked(s3).ok_or(F("jump table"))?;
            let seg = regen.div_ceil(4);
            if 3 * seg > regen {
                return Err(F("literals too short for four streams"));
            }
            let (o1, r) = lits.split_at_mut(seg);
            let (o2, r) = r.split_at_mut(seg);
            let (o3, o4) = r.split_at_mut(seg);
            huf.decode4([a, bb, c, d], o1, o2, o3, o4)?;
        }
        Ok((hl + comp, None))
    }
}

// ---------------------------------------------------------------------------------------
// XXH64

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

#[inline(always)]
fn round(acc: u64, x: u64) -> u64 {
    acc.wrapping_add(x.wrapping_mul(P2)).rotate_left(31).wrapping_mul(P1)
}

#[inline(always)]
fn merge(h: u64, v: u64) -> u64 {
    (h ^ round(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

fn u64le(s: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    for (d, x) in a.iter_mut().zip(s) {
        *d = *x;
    }
    u64::from_le_bytes(a)
}

/// XXH64 of `data` with `seed` (the zstd content checksum keeps the low 32 bits).
pub fn xxh64(data: &[u8], seed: u64) -> u64 {
    let mut h;
    let mut chunks = data.chunks_exact(32);
    if data.len() >= 32 {
        let mut v = [seed.wrapping_add(P1).wrapping_add(P2), seed.wrapping_add(P2), seed, seed.wrapping_sub(P1)];
        for c in &mut chunks {
            for (k, vk) in v.iter_mut().enumerate() {
                *vk = round(*vk, u64le(c.get(8 * k..8 * k + 8).unwrap_or_default()));
            }
        }
        h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for vk in v {
            h = merge(h, vk);
        }
    } else {
        h = seed.wrapping_add(P5);
    }
    h = h.wrapping_add(data.len() as u64);
    let rest = if data.len() >= 32 { chunks.remainder() } else { data };
    let mut e8 = rest.chunks_exact(8);
    for c in &mut e8 {
        h ^= round(0, u64le(c));
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
    }
    let r = e8.remainder();
    let mut e4 = r.chunks_exact(4);
    for c in &mut e4 {
        h ^= u64le(c).wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
    }
    for &b in e4.remainder() {
        h ^= u64::from(b).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_known_values() {
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
    }

    #[test]
    fn default_distributions_fill_their_tables() {
        for (d, log) in [(&LL_DEFAULT[..], 6), (&ML_DEFAULT[..], 6), (&OF_DEFAULT[..], 5)] {
            let s: i32 = d.iter().map(|&x| i32::from(x.abs())).sum();
            assert_eq!(s, 1 << log);
            FseTable::build(d, log).unwrap();
        }
    }
}
