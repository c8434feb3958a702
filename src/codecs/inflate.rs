//! A DEFLATE decoder (RFC 1951) written for speed in wasm: the whole stream is decoded
//! into one flat output buffer (the window is the output so far), bits come from a
//! 64-bit container refilled eight bytes at a time, and matches use the lz4 decoder's
//! copy routine (16-byte copies, fills and 16-byte period patterns for overlapping
//! matches, `memory.copy` otherwise). Stored, fixed and dynamic blocks; over-subscribed
//! code lengths are rejected, codes that are not hit are allowed to be incomplete (as
//! zlib does for single distance codes) and an unassigned code found in the stream is an
//! error. Output capped by the caller.
//!
//! Each Huffman block gets libdeflate-style tables (`build_fast`): an 11-bit
//! literal/length table whose entries hold one literal or two (when both codes fit in the
//! 11 bits: multi-symbol decoding), a length as base and extra-bit count (one lookup, one
//! shift), or the end of block, with second-level tables for longer codes; a 10-bit
//! distance table (8 bits, libdeflate's size) in the same format. While 16 input and 298
//! output bytes remain, an out-of-line fast loop keeps the bit container in locals,
//! refills without a branch (at most twice per symbol) and takes up to three literal
//! entries per refill; a checked loop (10-bit tables of symbols, built only then)
//! finishes each block. The output is a `Sink`: a vector grown within the cap ([`inflate_raw`]) or the caller's slice
//! ([`inflate_raw_into`], what the gzip and zlib `decode_into` use: `decodeChunkInto`
//! decodes straight into the destination, without a zero-filled vector and a copy).
//!
//! Measured (1 MiB chunks at level 5, `npm run bench --group gzip`, node 20 and
//! chromium, one core): about 2x miniz_oxide's throughput in wasm. Ours ÷ the platform
//! `DecompressionStream`, before → after the fast tables: node float32 weather
//! 1.95–2.15x → 2.04–2.10x (177–186 → 194–205 MB/s), uint16 imagery 1.76–2.15x →
//! 2.33–2.54x (197–208 → 221–233 MB/s); chromium weather 1.92–2.10x → 2.09–2.30x
//! (182–193 → 202–221 MB/s), imagery 2.07–2.29x → 2.30–2.56x (202–215 → 229–245 MB/s);
//! sparse data unchanged (node 5–8x, chromium 4–6.7x; match copies dominate). An
//! interleaved A/B of `decodeChunkInto` in node: +10–11% on the dense chunks. What is
//! left is latency: a literal is a dependent chain (mask → table load → shift, ~8 cycles
//! in V8), and float data has literal codes of 7–10 bits, so pairs are rare there (they
//! pay on low-entropy data). Tried and dropped: a 12-bit table (4% slower: build cost,
//! one per ~16 K symbols), a 10-bit one (±2%), masking-free bit counts (no change).
//!
//! Then (same chunks; node A/B of `decodeChunkInto` against the build before, best of
//! 15 interleaved rounds of two wasm builds in one process; the machine was loaded: ±3%):
//! decoding in place, slicing-by-16 CRC-32, SIMD Adler-32 (`super::adler32`), literal
//! pairs built per short literal code (a pass over the 2048 entries cost 3.5% of gzip
//! weather), an 8-bit distance table and a 7-bit code length table: gzip weather
//! 206 → 218 MB/s (+6%), imagery 230 → 243 (+6%), precip 1101 → 1405 (+28%); zlib weather
//! 215 → 234 (+9%), imagery 238 → 261 (+10%), precip 1360 → 2349 (+73%). Against the
//! platform `DecompressionStream` in headless chromium: gzip weather 2.03x → 2.17x (212 →
//! 226 MB/s vs 104), imagery 2.24x → 2.38x, zlib weather 2.23x → 2.44x, imagery 2.38x →
//! 2.54x; node: gzip weather 2.04x → 2.14x, zlib weather 1.89x → 2.04x (node's stream
//! measured alone here, faster than inside the bench). Profile of gzip weather now:
//! fast loop 84%, CRC-32 8%, table builds 5%, block headers 1%. Tried and dropped:
//! folding the CRC into the fast loop (8 finished bytes per iteration, a chain of its
//! own): 2–4% slower on dense data (register pressure in V8), +10% on sparse; CRC-32 from
//! byte loads instead of word shifts: +2% (noise).

use crate::codecs::lz4::copy_match;

/// Why [`inflate_raw`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The output would exceed the cap.
    TooLarge,
    /// Malformed or truncated data.
    Malformed(&'static str),
}

type R<T> = Result<T, Error>;
use Error::Malformed as M;

const PRIMARY: u32 = 10;
const VALID: u32 = 1 << 30;
const SUB: u32 = 1 << 31;

/// LSB-first bit reader with a 64-bit container.
struct Bits<'a> {
    src: &'a [u8],
    pos: usize,
    buf: u64,
    n: u32,
    /// Zero bytes supplied past the end of `src`.
    over: usize,
}

impl Bits<'_> {
    #[inline(always)]
    fn refill(&mut self) {
        if self.n > 56 {
            return;
        }
        if let Some(s) = self.src.get(self.pos..self.pos.wrapping_add(8)) {
            let mut a = [0u8; 8];
            a.copy_from_slice(s);
            self.buf |= u64::from_le_bytes(a) << self.n;
            let take = (63 - self.n) >> 3;
            self.pos += take as usize;
            self.n += take * 8;
        } else {
            while self.n <= 56 {
                match self.src.get(self.pos) {
                    Some(&b) => {
                        self.buf |= u64::from(b) << self.n;
                        self.pos += 1;
                    }
                    None => self.over += 1,
                }
                self.n += 8;
            }
        }
    }

    #[inline(always)]
    fn bits(&mut self, k: u32) -> u32 {
        let v = (self.buf & ((1u64 << k) - 1)) as u32;
        self.buf >>= k;
        self.n = self.n.wrapping_sub(k);
        v
    }

    /// Whether more bits were consumed than the input holds.
    fn overrun(&self) -> bool {
        (self.n as usize) < self.over * 8
    }

    /// Bytes of the input consumed so far (whole bytes; the partial byte counts).
    fn consumed(&self) -> usize {
        let unread_bytes = (self.n as usize / 8).saturating_sub(self.over);
        self.pos - unread_bytes.min(self.pos)
    }

    /// Drop the bits up to the next byte boundary and hand back the buffered whole bytes.
    fn align_and_flush(&mut self) {
        let drop = self.n % 8;
        self.bits(drop);
        let unread = (self.n as usize / 8).saturating_sub(self.over);
        self.pos -= unread.min(self.pos);
        self.buf = 0;
        self.n = 0;
        self.over = 0;
    }
}

/// A canonical Huffman decoding table: `bits`-bit primary entries (10; 7 for the code
/// length code, whose codes have at most 7 bits), then second-level tables.
/// Entry: `VALID | len << 16 | symbol`, or `SUB | sub_bits << 16 | offset`.
struct Table {
    t: Vec<u32>,
    bits: u32,
}

impl Table {
    fn build(lengths: &[u8], bits: u32) -> R<Self> {
        let primary = bits;
        let mut next = canonical_code(lengths)?;
        // Second-level table sizes per primary prefix.
        let mut sub_len = vec![0u8; 1 << primary];
        let mut codes = vec![0u32; lengths.len()];
        for (s, &l) in lengths.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let l32 = u32::from(l);
            let nx = next.get_mut(usize::from(l)).ok_or(M("code length"))?;
            let c = *nx;
            *nx += 1;
            let r = c.reverse_bits() >> (32 - l32);
            if let Some(cs) = codes.get_mut(s) {
                *cs = r;
            }
            if l32 > primary {
                if let Some(sl) = sub_len.get_mut((r & ((1 << primary) - 1)) as usize) {
                    *sl = (*sl).max(l);
                }
            }
        }
        let mut t = vec![0u32; 1 << primary];
        for (p, &ml) in sub_len.iter().enumerate() {
            if ml > 0 {
                let bits = u32::from(ml) - primary;
                let off = t.len() as u32;
                if let Some(e) = t.get_mut(p) {
                    *e = SUB | bits << 16 | off;
                }
                t.resize(t.len() + (1 << bits), 0);
            }
        }
        for (s, &l) in lengths.iter().enumerate() {
            if l == 0 {
                continue;
            }
            let l32 = u32::from(l);
            let r = codes.get(s).copied().unwrap_or(0);
            let leaf = VALID | l32 << 16 | s as u32;
            if l32 <= primary {
                let mut i = r as usize;
                while i < 1 << primary {
                    if let Some(e) = t.get_mut(i) {
                        *e = leaf;
                    }
                    i += 1 << l32;
                }
            } else {
                let p = (r & ((1 << primary) - 1)) as usize;
                let e = t.get(p).copied().unwrap_or(0);
                let bits = (e >> 16) & 15;
                let off = (e & 0xFFFF) as usize;
                let mut i = (r >> primary) as usize;
                while i < 1 << bits {
                    if let Some(e) = t.get_mut(off + i) {
                        *e = leaf;
                    }
                    i += 1 << (l32 - primary);
                }
            }
        }
        Ok(Table { t, bits: primary })
    }

    /// Decode one symbol (at least 15 bits must be buffered).
    #[inline(always)]
    fn decode(&self, b: &mut Bits<'_>) -> R<u32> {
        let mut e = self.t.get((b.buf & ((1 << self.bits) - 1)) as usize).copied().unwrap_or(0);
        if e & SUB != 0 {
            let bits = (e >> 16) & 15;
            let idx = ((b.buf >> self.bits) & ((1 << bits) - 1)) as usize;
            e = self.t.get((e & 0xFFFF) as usize + idx).copied().unwrap_or(0);
        }
        if e & VALID == 0 {
            return Err(M("invalid Huffman code"));
        }
        b.bits((e >> 16) & 15);
        Ok(e & 0xFFFF)
    }
}

const LEN_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

pub(crate) use super::common::Sink;

/// Make `out.buf()[..need]` writable (a vector grows with room for a fast-loop refill).
#[inline]
fn ensure<S: Sink + ?Sized>(out: &mut S, need: usize, cap: usize) -> R<()> {
    if out.room(need, cap, Some(300)) {
        Ok(())
    } else {
        Err(Error::TooLarge)
    }
}

/// Inflate the raw DEFLATE stream at the start of `input` into a new vector (at most
/// `cap` bytes, `initial` reserved up front). Returns the output and the input bytes used.
///
/// # Errors
/// [`Error::TooLarge`] above the cap, [`Error::Malformed`] for bad or truncated data.
pub fn inflate_raw(input: &[u8], cap: usize, initial: usize) -> R<(Vec<u8>, usize)> {
    let mut out: Vec<u8> = vec![0; initial.min(cap)];
    let (op, used) = inflate_sink(input, &mut out, cap)?;
    out.truncate(op);
    Ok((out, used))
}

/// Inflate the raw DEFLATE stream at the start of `input` into `out` (no allocation for
/// the output). Returns the bytes written (at most `out.len()`; the caller decides whether
/// fewer is an error) and the input bytes used.
///
/// # Errors
/// [`Error::TooLarge`] when the stream holds more than `out.len()` bytes,
/// [`Error::Malformed`] for bad or truncated data.
pub fn inflate_raw_into(input: &[u8], out: &mut [u8]) -> R<(usize, usize)> {
    let cap = out.len();
    inflate_sink(input, out, cap)
}

/// The decoder behind [`inflate_raw`] and [`inflate_raw_into`]: writes from
/// `out.buf()[0]` on, returns the bytes written and the input bytes used.
pub(crate) fn inflate_sink<S: Sink + ?Sized>(input: &[u8], out: &mut S, cap: usize) -> R<(usize, usize)> {
    let mut op = 0usize;
    let mut b = Bits { src: input, pos: 0, buf: 0, n: 0, over: 0 };
    loop {
        b.refill();
        let last = b.bits(1);
        let ty = b.bits(2);
        match ty {
            0 => {
                b.align_and_flush();
                let h = input.get(b.pos..b.pos + 4).ok_or(M("truncated stored block"))?;
                let w = u32::from_le_bytes(<[u8; 4]>::try_from(h).map_err(|_| M("stored block"))?);
                let (len, nlen) = (usize::from(w as u16), (w >> 16) as u16);
                if nlen != !(len as u16) {
                    return Err(M("stored block length check failed"));
                }
                let data = input.get(b.pos + 4..b.pos + 4 + len).ok_or(M("truncated stored block"))?;
                ensure(out, op + len, cap)?;
                out.buf().get_mut(op..op + len).ok_or(M("output"))?.copy_from_slice(data);
                op += len;
                b.pos += 4 + len;
            }
            1 => {
                let (ll, dl) = fixed_lengths();
                op = inflate_block(&mut b, &ll, &dl, out, op, cap)?;
            }
            2 => {
                let (lens, hlit) = dynamic_lengths(&mut b)?;
                let (ll, dl) = lens.split_at(hlit);
                op = inflate_block(&mut b, ll, dl, out, op, cap)?;
            }
            _ => return Err(M("reserved block type")),
        }
        if b.overrun() {
            return Err(M("truncated deflate stream"));
        }
        if last == 1 {
            break;
        }
    }
    Ok((op, b.consumed()))
}

fn fixed_lengths() -> ([u8; 288], [u8; 30]) {
    let mut l = [0u8; 288];
    for (i, v) in l.iter_mut().enumerate() {
        *v = match i {
            0..=143 => 8,
            144..=255 => 9,
            256..=279 => 7,
            _ => 8,
        };
    }
    (l, [5u8; 30])
}

/// The code lengths of a dynamic block's header: literal/length lengths, then distance
/// lengths; returns them and the number of literal/length lengths.
fn dynamic_lengths(b: &mut Bits<'_>) -> R<(Vec<u8>, usize)> {
    b.refill();
    let hlit = b.bits(5) as usize + 257;
    let hdist = b.bits(5) as usize + 1;
    let hclen = b.bits(4) as usize + 4;
    if hlit > 286 || hdist > 30 {
        return Err(M("too many length or distance codes"));
    }
    let mut cl = [0u8; 19];
    for &i in CL_ORDER.iter().take(hclen) {
        b.refill();
        if let Some(c) = cl.get_mut(i) {
            *c = b.bits(3) as u8;
        }
    }
    let clt = Table::build(&cl, 7)?;
    let mut lens = vec![0u8; hlit + hdist];
    let mut i = 0;
    while i < lens.len() {
        b.refill();
        let sym = clt.decode(b)?;
        let (val, rep) = match sym {
            0..=15 => (sym as u8, 1),
            16 => {
                let prev = *lens.get(i.wrapping_sub(1)).ok_or(M("repeat with no previous length"))?;
                (prev, 3 + b.bits(2) as usize)
            }
            17 => (0, 3 + b.bits(3) as usize),
            _ => (0, 11 + b.bits(7) as usize),
        };
        let dst = lens.get_mut(i..i + rep).ok_or(M("code lengths overflow"))?;
        dst.fill(val);
        i += rep;
        if b.overrun() {
            return Err(M("truncated code lengths"));
        }
    }
    if lens.get(256).copied().unwrap_or(0) == 0 {
        return Err(M("no end-of-block code"));
    }
    Ok((lens, hlit))
}

fn inflate_block<S: Sink + ?Sized>(
    b: &mut Bits<'_>,
    ll: &[u8],
    dl: &[u8],
    out: &mut S,
    op: usize,
    cap: usize,
) -> R<usize> {
    let lt = build_fast(ll, LIT_BITS, lit_entry, true)?;
    let dt = build_fast(dl, DIST_BITS, dist_entry, false)?;
    let mut op = op;
    loop {
        let (at, done) = fast_loop(b, &lt, &dt, out.buf(), op)?;
        op = at;
        if done {
            return Ok(op);
        }
        // Out of output room: grow (within the cap) and go on fast; out of input (or
        // cap): finish the block with the checked loop.
        let input_left = b.src.len().saturating_sub(b.pos) >= FAST_INPUT && b.over == 0;
        if !(input_left && out.buf().len().saturating_sub(op) < FAST_ROOM && out.room(op + FAST_ROOM, cap, Some(300))) {
            return slow_loop(b, &Table::build(ll, PRIMARY)?, &Table::build(dl, PRIMARY)?, out, op, cap);
        }
    }
}

/// Room the fast loop keeps at the end of the output: up to six literals and a 258-byte
/// match in one iteration, plus the 16-byte overshoot of `copy_match`.
const FAST_ROOM: usize = 258 + 32 + 8;
/// Input the fast loop keeps: two 8-byte refills per iteration.
const FAST_INPUT: usize = 16;

/// Primary bits of the fast literal/length table (libdeflate's choice: 11).
const LIT_BITS: u32 = 11;
/// Entries a second literal of a pair is read from: `1 << (LIT_BITS - 1)` (the shortest
/// literal code has at least one bit).
const PAIR_REACH: usize = 1 << (LIT_BITS - 1);
/// Primary bits of the fast distance table (libdeflate's choice: 8; distance codes are
/// mostly shorter, and the table is rebuilt per block).
const DIST_BITS: u32 = 8;
/// Fast-table entry kinds. Every entry keeps in bits 0..5 the bits it consumes (code
/// plus extra bits; two codes for a literal pair) and in bit 6 [`F_SUB`].
/// Literal: `F_LIT | count << 24 | second << 16 | first << 8 | bits` (count 1 or 2).
const F_LIT: u32 = 1 << 31;
/// Length: `F_LEN | base << 16 | code_len << 8 | (code_len + extra)`: the length is
/// `base + (bits >> code_len)` of the consumed bits (one lookup, one shift).
const F_LEN: u32 = 1 << 30;
/// End of block: `F_EOB | code_len`.
const F_EOB: u32 = 1 << 29;
/// Second-level pointer: `F_SUB | offset << 16 | sub_bits << 8`; second-level entries
/// hold the whole code length (nothing is consumed before them).
const F_SUB: u32 = 1 << 6;
// A distance entry is `base << 16 | code_len << 8 | (code_len + extra)` (0: unassigned).

fn lit_entry(sym: usize, l: u32) -> u32 {
    match sym {
        0..=255 => F_LIT | 1 << 24 | (sym as u32) << 8 | l,
        256 => F_EOB | l,
        _ => match (LEN_BASE.get(sym - 257), LEN_EXTRA.get(sym - 257)) {
            (Some(&base), Some(&extra)) => F_LEN | u32::from(base) << 16 | l << 8 | (l + u32::from(extra)),
            _ => 0,
        },
    }
}

fn dist_entry(sym: usize, l: u32) -> u32 {
    match (DIST_BASE.get(sym), DIST_EXTRA.get(sym)) {
        (Some(&base), Some(&extra)) => u32::from(base) << 16 | l << 8 | (l + u32::from(extra)),
        _ => 0,
    }
}

/// The canonical Huffman code of `lengths` (RFC 1951 § 3.2.2): the first code of each
/// length (length 0 is no code).
///
/// # Errors
/// A length above 15, or an over-subscribed code.
fn canonical_code(lengths: &[u8]) -> R<[u32; 16]> {
    let mut count = [0u16; 16];
    for &l in lengths {
        *count.get_mut(usize::from(l)).ok_or(M("code length above 15"))? += 1;
    }
    if let Some(c0) = count.get_mut(0) {
        *c0 = 0;
    }
    let mut left: i32 = 1;
    for &c in count.iter().skip(1) {
        left = 2 * left - i32::from(c);
        if left < 0 {
            return Err(M("over-subscribed Huffman code"));
        }
    }
    let mut next = [0u32; 16];
    let mut code = 0u32;
    for (nx, &c) in next.iter_mut().skip(1).zip(count.iter()) {
        code = (code + u32::from(c)) << 1;
        *nx = code;
    }
    Ok(next)
}

/// A fast decoding table: `1 << bits` primary entries (an entry per code of at most
/// `bits` bits, repeated), then second-level tables. With `pairs`, a primary entry whose
/// literal code leaves room for a second whole literal code within `bits` decodes both
/// (multi-symbol decoding). Unassigned codes are 0 entries; over-subscription is an error.
fn build_fast(lengths: &[u8], bits: u32, entry: fn(usize, u32) -> u32, pairs: bool) -> R<Vec<u32>> {
    let mut next = canonical_code(lengths)?;
    let size = 1usize << bits;
    let pmask = (1u32 << bits) - 1;
    let mut sub_len = vec![0u8; size];
    let mut codes = vec![0u32; lengths.len()];
    for (&l, cs) in lengths.iter().zip(codes.iter_mut()) {
        if l == 0 {
            continue;
        }
        let nx = next.get_mut(usize::from(l)).ok_or(M("code length"))?;
        *cs = nx.reverse_bits() >> (32 - u32::from(l));
        *nx += 1;
        if u32::from(l) > bits {
            if let Some(sl) = sub_len.get_mut((*cs & pmask) as usize) {
                *sl = (*sl).max(l);
            }
        }
    }
    let mut t = vec![0u32; size];
    for (p, &ml) in sub_len.iter().enumerate() {
        if ml > 0 {
            let sb = u32::from(ml) - bits;
            let off = t.len() as u32;
            // Offsets stay below 2^13: at most 288 second-level tables of 2^(15 - bits).
            if off >= 1 << 13 {
                return Err(M("Huffman table too large"));
            }
            if let Some(e) = t.get_mut(p) {
                *e = F_SUB | off << 16 | sb << 8;
            }
            t.resize(t.len() + (1 << sb), 0);
        }
    }
    for ((s, &l), &r) in lengths.iter().enumerate().zip(codes.iter()) {
        if l == 0 {
            continue;
        }
        let l32 = u32::from(l);
        let leaf = entry(s, l32);
        if l32 <= bits {
            let mut i = r as usize;
            while i < size {
                if let Some(e) = t.get_mut(i) {
                    *e = leaf;
                }
                i += 1 << l32;
            }
        } else {
            let e = t.get((r & pmask) as usize).copied().unwrap_or(0);
            let sb = (e >> 8) & 15;
            let off = (e >> 16) as usize;
            let mut i = (r >> bits) as usize;
            while i < 1 << sb {
                if let Some(e) = t.get_mut(off + i) {
                    *e = leaf;
                }
                i += 1 << (l32 - bits);
            }
        }
    }
    if pairs {
        // A literal code `r1` of `l1` bits sits at `r1 | k << l1` for every `k` below
        // `1 << (bits - l1)`; `k` is the next code's index with its unknown high bits
        // zero, which is that code's own entry when it is a literal of at most
        // `bits - l1` bits (short codes are repeated over every high-bit value). Only
        // literals leaving room for the shortest literal code are visited, so the work is
        // the number of entries that may pair (none for the 7-10 bit literals of float
        // data, not a pass over the whole table), reading the single entries from a copy
        // of the low part of the table.
        let shortest = lengths.iter().take(256).filter(|&&l| l > 0).min().map_or(16, |&l| u32::from(l));
        if shortest < bits {
            let reach = (1usize << (bits - shortest)).min(PAIR_REACH);
            let mut single = [0u32; PAIR_REACH];
            if let (Some(d), Some(s)) = (single.get_mut(..reach), t.get(..reach)) {
                d.copy_from_slice(s);
            }
            for (s1, (&l, &r1)) in lengths.iter().zip(codes.iter()).enumerate().take(256) {
                let l1 = u32::from(l);
                if l1 == 0 || l1 + shortest > bits {
                    continue;
                }
                let first = (s1 as u32) << 8;
                for k in 0..1usize << (bits - l1) {
                    let e2 = single.get(k).copied().unwrap_or(0);
                    let l2 = e2 & 63;
                    if e2 & F_LIT != 0 && l1 + l2 <= bits {
                        if let Some(e) = t.get_mut(r1 as usize | k << l1) {
                            *e = F_LIT | 2 << 24 | (e2 & 0xFF00) << 8 | first | (l1 + l2);
                        }
                    }
                }
            }
        }
    }
    Ok(t)
}

/// The block's symbols while at least [`FAST_INPUT`] input bytes and [`FAST_ROOM`]
/// output bytes remain: the bit container in locals (registers), branch-free 8-byte
/// refills, up to three literal entries (each one or two literals) per refill, and
/// lengths and distances from one lookup and one shift each (a refill leaves at least 56
/// bits: three primary literal entries take at most 33, a length code with its extra
/// bits 20 and a distance 28). Returns the output position and whether the block ended;
/// otherwise the caller finishes the block with [`slow_loop`] (same decoding, every check
/// per symbol). Kept out of line and free of calls other than long match copies (the
/// output is a slice, grown by the caller): V8 spills what lives across a call.
#[inline(never)]
fn fast_loop(b: &mut Bits<'_>, lt: &[u32], dt: &[u32], out: &mut [u8], mut op: usize) -> R<(usize, bool)> {
    if b.over != 0 {
        return Ok((op, false));
    }
    let src = b.src;
    let (mut pos, mut buf, mut n) = (b.pos, b.buf, b.n);
    let lmask = (1u64 << LIT_BITS) - 1;
    let dmask = (1u64 << DIST_BITS) - 1;
    let mut done = false;
    // One literal entry: consume its bits, store two bytes (the second is rewritten later
    // when the entry holds one literal), advance by its count.
    macro_rules! literal {
        ($e:expr) => {{
            let e = $e;
            let t = e & 63;
            buf >>= t;
            n -= t;
            if let Some(o) = out.get_mut(op..op + 2) {
                o.copy_from_slice(&[(e >> 8) as u8, (e >> 16) as u8]);
            }
            op += ((e >> 24) & 3) as usize;
        }};
    }
    loop {
        if out.len().saturating_sub(op) < FAST_ROOM {
            break;
        }
        // At least 16 input bytes: this refill and the one after the literals.
        let Some(w) = src.get(pos..pos + FAST_INPUT) else { break };
        let mut a = [0u8; 8];
        a.copy_from_slice(w.get(..8).unwrap_or(&[0; 8]));
        buf |= u64::from_le_bytes(a) << n;
        let take = (63 - n) >> 3;
        pos += take as usize;
        n += take * 8;
        let mut e = lt.get((buf & lmask) as usize).copied().unwrap_or(0);
        if e & F_LIT != 0 {
            literal!(e);
            e = lt.get((buf & lmask) as usize).copied().unwrap_or(0);
            if e & F_LIT != 0 {
                literal!(e);
                e = lt.get((buf & lmask) as usize).copied().unwrap_or(0);
                if e & F_LIT != 0 {
                    literal!(e);
                    continue;
                }
            }
            // `e` (a primary entry: its 11 bits were buffered) is not a literal; refill
            // for the rest of the symbol (the input window above covers it).
            let at = (take as usize).min(8);
            if let Some(w2) = w.get(at..at + 8) {
                a.copy_from_slice(w2);
            }
            buf |= u64::from_le_bytes(a) << n;
            let take = (63 - n) >> 3;
            pos += take as usize;
            n += take * 8;
        }
        if e & F_SUB != 0 {
            let idx = (e >> 16) as usize + ((buf >> LIT_BITS) & ((1 << ((e >> 8) & 15)) - 1)) as usize;
            e = lt.get(idx).copied().unwrap_or(0);
            if e & F_LIT != 0 {
                literal!(e);
                continue;
            }
        }
        if e & F_LEN == 0 {
            if e & F_EOB != 0 {
                let t = e & 63;
                buf >>= t;
                n -= t;
                done = true;
                break;
            }
            return Err(M("invalid Huffman code"));
        }
        let t = e & 63;
        let saved = buf;
        buf >>= t;
        n -= t;
        let len = ((e >> 16) & 0x1FF) as usize + ((saved & ((1u64 << t) - 1)) >> ((e >> 8) & 15)) as usize;
        let mut e = dt.get((buf & dmask) as usize).copied().unwrap_or(0);
        if e & F_SUB != 0 {
            let idx = (e >> 16) as usize + ((buf >> DIST_BITS) & ((1 << ((e >> 8) & 15)) - 1)) as usize;
            e = dt.get(idx).copied().unwrap_or(0);
        }
        if e >> 16 == 0 {
            return Err(M("invalid Huffman code"));
        }
        let t = e & 63;
        let saved = buf;
        buf >>= t;
        n -= t;
        let d = (e >> 16) as usize + ((saved & ((1u64 << t) - 1)) >> ((e >> 8) & 15)) as usize;
        if d > op {
            return Err(M("distance before the start of the output"));
        }
        // `op + len <= op + 6 + 258 <= out.len()` (FAST_ROOM).
        copy_match(out, op - d, op, len);
        op += len;
    }
    b.pos = pos;
    b.buf = buf;
    b.n = n;
    Ok((op, done))
}

/// The block's symbols with every check per symbol (the input's last bytes, or an output
/// that cannot keep [`FAST_ROOM`] spare bytes).
fn slow_loop<S: Sink + ?Sized>(
    b: &mut Bits<'_>,
    lit: &Table,
    dist: &Table,
    out: &mut S,
    mut op: usize,
    cap: usize,
) -> R<usize> {
    loop {
        // One refill (>= 56 bits) covers a literal/length code (15), length extra (5), a
        // distance code (15) and distance extra (13).
        b.refill();
        if b.overrun() {
            return Err(M("truncated deflate stream"));
        }
        let sym = lit.decode(b)?;
        if sym < 256 {
            ensure(out, op + 1, cap)?;
            if let Some(o) = out.buf().get_mut(op) {
                *o = sym as u8;
            }
            op += 1;
            continue;
        }
        if sym == 256 {
            return Ok(op);
        }
        let li = (sym - 257) as usize;
        let (base, extra) = match (LEN_BASE.get(li), LEN_EXTRA.get(li)) {
            (Some(&a), Some(&e)) => (usize::from(a), u32::from(e)),
            _ => return Err(M("invalid length symbol")),
        };
        let len = base + b.bits(extra) as usize;
        let ds = dist.decode(b)? as usize;
        let (dbase, dextra) = match (DIST_BASE.get(ds), DIST_EXTRA.get(ds)) {
            (Some(&a), Some(&e)) => (usize::from(a), u32::from(e)),
            _ => return Err(M("invalid distance symbol")),
        };
        let d = dbase + b.bits(dextra) as usize;
        if d > op {
            return Err(M("distance before the start of the output"));
        }
        ensure(out, op + len, cap)?;
        copy_match(out.buf(), op - d, op, len);
        op += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_miniz_on_varied_data() {
        let mut rng = crate::kernels::TestRng::new(77);
        for round in 0..60 {
            let mut data = Vec::new();
            let target = rng.below(200_000);
            while data.len() < target {
                let period = 1 + rng.below(300);
                let pat = rng.bytes(period);
                let n = rng.below(2000);
                data.extend((0..n).map(|i| pat[i % period]));
                let k = rng.below(500);
                data.extend(rng.bytes(k));
            }
            let level = (round % 11) as u8;
            let enc = miniz_oxide::deflate::compress_to_vec(&data, level);
            let (out, used) = inflate_raw(&enc, data.len(), 0).unwrap();
            assert_eq!(out, data, "round {round} level {level}");
            assert_eq!(used, enc.len());
            // Garbage never panics.
            let mut g = enc.clone();
            for _ in 0..4 {
                let i = rng.below(g.len().max(1));
                if let Some(v) = g.get_mut(i) {
                    *v ^= 1 << rng.below(8);
                }
            }
            let _ = inflate_raw(&g, data.len(), 0);
            let _ = inflate_raw(&enc[..rng.below(enc.len() + 1)], data.len(), 0);
        }
        assert_eq!(inflate_raw(&[0x03, 0x00], 10, 0).unwrap().0, Vec::<u8>::new());
        assert!(matches!(
            inflate_raw(&miniz_oxide::deflate::compress_to_vec(&[7; 100], 6), 99, 0),
            Err(Error::TooLarge)
        ));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn literal_pairs_decode_two_symbols_per_entry() {
        // Canonical codes: 'a' = 0, 'b' = 10, end of block = 11; bits are read LSB first,
        // so 'b' is index bits 01 and index 0 is "a, a", 0b010 "a, b", 0b001 "b, a".
        let mut lens = [0u8; 257];
        lens[usize::from(b'a')] = 1;
        lens[usize::from(b'b')] = 2;
        lens[256] = 2;
        let t = build_fast(&lens, LIT_BITS, lit_entry, true).unwrap();
        let (a, b) = (u32::from(b'a'), u32::from(b'b'));
        assert_eq!(t[0], F_LIT | 2 << 24 | a << 16 | a << 8 | 2);
        assert_eq!(t[0b010], F_LIT | 2 << 24 | b << 16 | a << 8 | 3);
        assert_eq!(t[0b001], F_LIT | 2 << 24 | a << 16 | b << 8 | 3);
        // "b" then end of block: no pair.
        assert_eq!(t[0b1101], F_LIT | 1 << 24 | b << 8 | 2);
        assert_eq!(t[0b11], F_EOB | 2);

        // Streams of few distinct bytes have short literal codes: most entries are pairs.
        let mut rng = crate::kernels::TestRng::new(5);
        for alphabet in [2usize, 3, 4, 7, 16, 40] {
            let data: Vec<u8> = (0..300_000).map(|_| b'A' + rng.below(alphabet) as u8).collect();
            for level in [1u8, 6, 9] {
                let enc = miniz_oxide::deflate::compress_to_vec(&data, level);
                let (out, used) = inflate_raw(&enc, data.len(), 0).unwrap();
                assert!(out == data, "alphabet {alphabet} level {level}");
                assert_eq!(used, enc.len());
            }
        }
    }

    #[test]
    fn every_short_distance_copies_its_period() {
        let mut rng = crate::kernels::TestRng::new(9);
        for d in 1..=32usize {
            // Runs of period `d` of every length up to 300, separated by fresh bytes, so
            // that the encoder emits matches at distance `d` of many lengths.
            let mut data = Vec::new();
            for len in (3..300).step_by(7) {
                let pat = rng.bytes(d);
                data.extend((0..d + len).map(|i| pat[i % d]));
                data.extend(rng.bytes(5));
            }
            for level in [1u8, 9] {
                let enc = miniz_oxide::deflate::compress_to_vec(&data, level);
                let (out, used) = inflate_raw(&enc, data.len(), 0).unwrap();
                assert!(out == data, "distance {d} level {level}");
                assert_eq!(used, enc.len());
                // Tight and roomy initial outputs take the slow and the fast paths.
                assert!(inflate_raw(&enc, data.len(), data.len()).unwrap().0 == data);
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn into_a_slice_matches_the_vector_on_every_block_type() {
        let mut rng = crate::kernels::TestRng::new(31);
        let texty = rng.texty(150_000, 40, 30, 200);
        let cases: Vec<(Vec<u8>, u8)> = vec![
            (rng.bytes(70_000), 0),      // stored blocks
            (b"abcabcabd".repeat(3), 1), // short: a fixed block
            (texty.clone(), 1),          // dynamic blocks
            (texty, 9),                  // dynamic blocks, long matches
            (vec![0u8; 300_000], 6),     // distance-1 runs
            (Vec::new(), 6),             // empty
        ];
        for (data, level) in cases {
            let enc = miniz_oxide::deflate::compress_to_vec(&data, level);
            let (v, used) = inflate_raw(&enc, data.len(), 0).unwrap();
            assert!(v == data, "vector, level {level}, {} bytes", data.len());
            let mut out = vec![0xAAu8; data.len()];
            assert_eq!(inflate_raw_into(&enc, &mut out).unwrap(), (data.len(), used));
            assert!(out == data, "slice, level {level}, {} bytes", data.len());
            // One byte more: decoded, the caller sees the short count.
            let mut roomy = vec![0u8; data.len() + 1];
            assert_eq!(inflate_raw_into(&enc, &mut roomy).unwrap().0, data.len());
            // One byte less: too large, whatever the block type.
            if !data.is_empty() {
                let mut tight = vec![0u8; data.len() - 1];
                assert_eq!(inflate_raw_into(&enc, &mut tight), Err(Error::TooLarge));
            }
            // Truncated: an error, never a panic.
            for cut in [1usize, 2, 5] {
                if enc.len() > cut {
                    let mut o = vec![0u8; data.len()];
                    assert!(inflate_raw_into(&enc[..enc.len() - cut], &mut o).is_err(), "cut {cut}");
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn rare_distances_take_the_second_level_tables() {
        // Runs (distance 1) dominate, and copies of earlier stretches at every distance
        // class are rare: the rare distance codes get long codes (above the 8-bit primary
        // distance table), whose entries sit in second-level tables.
        let mut rng = crate::kernels::TestRng::new(21);
        let mut data: Vec<u8> = rng.bytes(40_000).iter().map(|b| b & 15).collect();
        for i in 0..4000usize {
            let b = rng.bytes(1)[0];
            let run = 4 + rng.below(40);
            data.extend(std::iter::repeat_n(b, run));
            if i % 16 == 0 {
                let d = 1usize << (1 + rng.below(15));
                let len = 3 + rng.below(60);
                let from = data.len() - d.min(data.len() - 1);
                for k in 0..len {
                    let v = data[from + k];
                    data.push(v);
                }
            }
            let k = rng.below(3);
            data.extend(rng.bytes(k));
        }
        let dl = {
            let enc = miniz_oxide::deflate::compress_to_vec(&data, 9);
            let (out, used) = inflate_raw(&enc, data.len(), 0).unwrap();
            assert!(out == data);
            assert_eq!(used, enc.len());
            let mut o = vec![0u8; data.len()];
            assert_eq!(inflate_raw_into(&enc, &mut o).unwrap(), (data.len(), used));
            assert!(o == data);
            // The first block's distance code lengths: at least one above DIST_BITS.
            let mut b = Bits { src: &enc, pos: 0, buf: 0, n: 0, over: 0 };
            b.refill();
            assert_eq!(b.bits(3) >> 1, 2, "a dynamic block");
            let (lens, hlit) = dynamic_lengths(&mut b).unwrap();
            lens[hlit..].to_vec()
        };
        assert!(dl.iter().any(|&l| u32::from(l) > DIST_BITS), "{dl:?}");
    }
}
