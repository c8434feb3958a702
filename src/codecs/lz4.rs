//! The numcodecs `lz4` codec (v2 `{"id": "lz4", "acceleration"}`, v3 `numcodecs.lz4`):
//! a 4-byte little-endian decoded size, then one raw LZ4 block (numcodecs `lz4.pyx`,
//! `compress(..., store_size=True)`). The declared size is checked against the cap
//! before anything is allocated. Pure Rust: our own block decoder (lz4_flex only encodes,
//! in tests).

#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use super::common::{format_err, output_cap, over_cap, read_u32_le};
use super::BytesToBytesCodec;
use crate::error::CodecError;
use crate::limits::Limits;

const NAME: &str = "lz4";

/// The lz4 codec (acceleration only matters when encoding).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lz4Codec;

/// Decode a raw LZ4 block into exactly `out.len()` bytes (our own decoder, for speed:
/// lz4_flex's safe decoder copies overlapping matches byte by byte, which made long runs
/// of zeros or NaN fill slower than numcodecs.js). Short literals and matches move as one
/// 16-byte copy when both buffers have room (the extra bytes are rewritten later); a
/// match overlapping its own output (offset < length) is a fill for offset 1 and
/// otherwise a doubling copy (each copy twice as long as the last, from the match start,
/// so the period is kept); everything else is one `copy_within` (wasm `memory.copy`).
/// Most sequences (literal runs and matches with at most one length byte, any offset)
/// run in an out-of-line raw pointer loop without `memory.copy` (`fast_sequences`);
/// short periods build their 16-byte pattern from a table rather than sixteen divisions.
/// Measured with `npm run bench` (1 MiB chunks, node 20 / chromium, ours ÷ numcodecs.js):
/// lz4_flex was 1.25x on sparse precipitation. With the fast loop taking only short
/// literals and offsets ≥ 16 in bounds-checked slices: plain lz4 4.3–4.6x on sparse
/// precipitation, 5–9x on float32 and uint16 data; inside Blosc (lz4 + shuffle) 1,250
/// MB/s on uint16 imagery (3.6x node, 2.4x chromium), whose shuffled high bytes are
/// ~90,000 sequences per MiB (95% without literals, 4–8 byte matches). Now (the raw
/// pointer loop, offsets 1..15 and length bytes in it, `decode_into` without an
/// intermediate buffer): plain lz4 5.2–5.6 GB/s float32 (7–12x), 12.5–14.8 GB/s sparse
/// precipitation (5.3–10.8x: the peer varies most there), 4.7–5.7 GB/s uint16 (7–12x);
/// Blosc lz4 + shuffle 2,350–2,490 MB/s on uint16 imagery (6.7–7.2x node, 4.4–5.7x
/// chromium), 3.2–3.8 GB/s float32 weather (5.5–9.9x), 6.4–8 GB/s sparse precipitation
/// (9–10x).
///
/// # Errors
/// `Format` when the block is malformed (truncated, offset 0 or before the output start,
/// writes past the end) or does not fill `out` exactly.
pub fn decompress_block_into(codec: &'static str, block: &[u8], out: &mut [u8]) -> Result<(), CodecError> {
    let err = |m: &str| format_err(codec, format!("lz4: {m}"));
    let (ilen, olen) = (block.len(), out.len());
    let mut ip = 0usize;
    let mut op = 0usize;
    if ilen == 0 {
        return if olen == 0 { Ok(()) } else { Err(err("empty block")) };
    }
    loop {
        (ip, op) = fast_sequences(block, out, ip, op);
        let token = *block.get(ip).ok_or_else(|| err("truncated block"))?;
        ip = ip.saturating_add(1);
        let mut lit = usize::from(token >> 4);
        if lit == 15 {
            lit = lit.saturating_add(read_len(block, &mut ip).ok_or_else(|| err("truncated length"))?);
        }
        let (ip_end, op_end) = (ip.saturating_add(lit), op.saturating_add(lit));
        if ip_end > ilen || op_end > olen {
            return Err(err("literals past the end"));
        }
        // Up to 64 bytes in 16-byte steps when both buffers have room past the end (the
        // extra bytes are rewritten later); `memory.copy` has a call cost that dominates
        // such short copies.
        let wild = lit.div_ceil(16).saturating_mul(16);
        if let (true, Some(s), Some(d)) =
            (lit <= 64, block.get(ip..ip.saturating_add(wild)), out.get_mut(op..op.saturating_add(wild)))
        {
            for (dc, sc) in d.chunks_exact_mut(16).zip(s.chunks_exact(16)) {
                dc.copy_from_slice(sc);
            }
        } else if let (Some(s), Some(d)) = (block.get(ip..ip_end), out.get_mut(op..op_end)) {
            d.copy_from_slice(s);
        }
        ip = ip_end;
        op = op_end;
        if ip == ilen {
            break;
        }
        let off = match block.get(ip..ip.saturating_add(2)) {
            Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])),
            _ => return Err(err("truncated offset")),
        };
        ip = ip.saturating_add(2);
        let mut ml = usize::from(token & 15);
        if ml == 15 {
            ml = ml.saturating_add(read_len(block, &mut ip).ok_or_else(|| err("truncated length"))?);
        }
        ml = ml.saturating_add(4);
        let from = op.checked_sub(off).filter(|_| off != 0).ok_or_else(|| err("match offset out of range"))?;
        let end = op.saturating_add(ml);
        if end > olen {
            return Err(err("match past the output end"));
        }
        copy_match(out, from, op, ml);
        op = end;
    }
    if op != olen {
        return Err(CodecError::SizeMismatch { codec, expected: olen as u64, got: op as u64 });
    }
    Ok(())
}

/// Room the fast loop needs at the top of each iteration: a token, up to 14 literals
/// and a 2-byte offset are `1 + 16` input bytes (the literal copy reads 16), and up to
/// 14 literals then an up to 18-byte match written in 16-byte stores (at most
/// `14 + 18 + 16` output bytes; 16-byte pattern stores end before `op + 14 + 2 * 16`).
const FAST_IN: usize = 17;
const FAST_OUT: usize = 48;

/// The commonest sequences, decoded from the token at `ip` on while they fit: a literal
/// run and a match of at most one length byte each (runs up to 269 and 273 bytes), any
/// offset inside the output (periods below 16 from the pattern table, longer ones in
/// 16-byte copies whose source bytes are already final), at least 17 input and 48 output
/// bytes from the ends (and the room every longer run needs, checked). Literals and
/// matches move in 16-byte steps that may write past the sequence (those bytes are
/// rewritten later). Returns the position of the first token it leaves to the caller:
/// one that does not fit, a malformed one (offset 0 or before the output start: the
/// caller reports it), or the last sequence (literals only, within 17 bytes of the end in
/// a well-formed block; a literal run followed by 2 more bytes is never the last).
/// Kept out of line and free of `memory.copy` (which V8 compiles to a call, spilling the
/// decoder's state around it): shuffled uint16 imagery is ~90,000 sequences per MiB,
/// most of them no literals and a 4–8 byte match.
///
/// A raw pointer core: this loop is most of the time Blosc spends on shuffled uint16
/// data, and slice indexing put ~20 bounds checks on each sequence. Every access is
/// justified by the loop condition (`ip + 17 <= ilen`, `op + 48 <= olen`) or by an
/// explicit check before it; all sums stay below `len + 300` (slice lengths are at most
/// `isize::MAX`), hence the scoped `allow`. Debug builds assert each bound.
/// Measured and dropped (Blosc lz4 + shuffle, uint16 imagery, node): one code path for
/// both offset classes (swizzle with an identity row, −10%), pointer cursors instead of
/// indices (−5%), a smaller loop leaving every length byte to the caller (−3% there,
/// −10% on float32), errors straight from the loop instead of returning to the token,
/// with long matches through `copy_match` in it (−4% there, +3% on sparse data).
#[inline(never)]
#[allow(clippy::arithmetic_side_effects)]
fn fast_sequences(block: &[u8], out: &mut [u8], ip: usize, op: usize) -> (usize, usize) {
    let (ilen, olen) = (block.len(), out.len());
    let (Some(ilim), Some(olim)) = (ilen.checked_sub(FAST_IN), olen.checked_sub(FAST_OUT)) else {
        return (ip, op);
    };
    let src = block.as_ptr();
    let dst = out.as_mut_ptr();
    let (mut ip, mut op) = (ip, op);
    while ip <= ilim && op <= olim {
        let (tip, top) = (ip, op);
        // SAFETY: `ip + 17 <= ilen`.
        let token = unsafe { *src.add(ip) };
        ip += 1;
        let mut lit = usize::from(token >> 4);
        // Most sequences of shuffled data have no literals (95% for uint16 imagery): a
        // branch on it, not `ip += lit`, so that the next token's address does not wait
        // for this token's load (the branch is predicted; that load is the loop's
        // critical path). Tested on `token` (ranges) rather than `lit`, which LLVM turns
        // into a jump table.
        if token >= 0x10 {
            if token < 0xF0 {
                debug_assert!(ip + 16 <= ilen && op + 16 <= olen);
                // SAFETY: reads `ip..ip + 16` (`tip + 17 <= ilen`), writes `op..op + 16`
                // (`op + 48 <= olen`).
                unsafe { copy16_raw(src.add(ip), dst.add(op)) };
                ip += lit;
                op += lit;
            } else {
                // SAFETY: `ip = tip + 1 < ilen`.
                let b = usize::from(unsafe { *src.add(ip) });
                ip += 1;
                lit += b;
                // The literals, the offset after them and the 16-byte steps must fit, and
                // the match after them needs the usual 34 output bytes (below).
                let wild = (lit + 15) & !15;
                if b == 255 || ip + wild.max(lit + 2) > ilen || op + wild.max(lit + 34) > olen {
                    return (tip, top);
                }
                let mut k = 0;
                while k < lit {
                    debug_assert!(ip + k + 16 <= ilen && op + k + 16 <= olen);
                    // SAFETY: `k < lit` and `k` is a multiple of 16, so `k + 16 <= wild`;
                    // `ip + wild <= ilen` and `op + wild <= olen` were checked.
                    unsafe { copy16_raw(src.add(ip + k), dst.add(op + k)) };
                    k += 16;
                }
                ip += lit;
                op += lit;
            }
        }
        // Here `ip + 2 <= ilen` (`tip + 1 + 14 + 2 <= tip + 17`, or checked above) and
        // `op + 34 <= olen` (`top + 14 + 34 <= top + 48`, or checked above).
        debug_assert!(ip + 2 <= ilen && op + 34 <= olen);
        // SAFETY: `ip + 2 <= ilen`.
        let off = usize::from(u16::from_le_bytes(unsafe { [*src.add(ip), *src.add(ip + 1)] }));
        ip += 2;
        if off == 0 || off > op {
            return (tip, top);
        }
        let mut ml = usize::from(token & 15) + 4;
        if ml == 19 {
            if ip >= ilen {
                return (tip, top);
            }
            // SAFETY: `ip < ilen`.
            let b = usize::from(unsafe { *src.add(ip) });
            ip += 1;
            ml += b;
            if b == 255 || op + ml + 16 > olen {
                return (tip, top);
            }
        }
        // Now `op + ml + 16 <= olen` (`ml <= 18` and `op + 34 <= olen`, or checked), and
        // `from + 16 <= op + 15` (`off >= 1`).
        let from = op - off;
        debug_assert!(op + ml + 16 <= olen);
        // The first 16 (offset ≥ 16) or `2 * step` bytes (a period below 16: two pattern
        // stores of `step` bytes, a multiple of `off` between 9 and 16, which cover
        // `op..op + step + 16`), then 16-byte copies from `back` bytes before, a multiple
        // of the period of at least 16 (so each reads bytes already final). One branch
        // for the usual match of at most 16 (or 18) bytes.
        let (mut k, back) = if off >= 16 {
            // SAFETY: reads `from..from + 16 <= op` (`off >= 16`), writes `op..op + 16`.
            unsafe { copy16_raw(dst.add(from), dst.add(op)) };
            (16, off)
        } else {
            let step = usize::from(PERIOD_STEP.get(off).copied().unwrap_or(16));
            // SAFETY: reads `from..from + 16 <= op + 15` (`off >= 1`); writes
            // `op..op + step + 16 <= op + 32` (`ml > 18` was checked against `olen`).
            unsafe {
                let pat = period_pattern_raw(dst.add(from), off);
                core::ptr::write_unaligned(dst.add(op).cast::<[u8; 16]>(), pat);
                core::ptr::write_unaligned(dst.add(op + step).cast::<[u8; 16]>(), pat);
            }
            (2 * step, 2 * step)
        };
        while k < ml {
            debug_assert!(back >= 16 && back <= op + k);
            // SAFETY: reads `op + k - back..op + k - back + 16 <= op + k` (bytes final
            // before, `back >= 16`; `op + k - back` is `from + k` or `op`), writes
            // `op + k..op + k + 16` with `k < ml`, below `op + ml + 16 <= olen`.
            unsafe { copy16_raw(dst.add(op + k - back), dst.add(op + k)) };
            k += 16;
        }
        op += ml;
    }
    (ip, op)
}

/// Copy 16 bytes from `s` to `d` through a register (the ranges may overlap).
///
/// # Safety
/// `s` must be valid for 16 byte reads and `d` for 16 byte writes.
#[inline(always)]
pub(crate) unsafe fn copy16_raw(s: *const u8, d: *mut u8) {
    // SAFETY: the caller's contract; unaligned accesses of a byte array.
    unsafe {
        let v = core::ptr::read_unaligned(s.cast::<[u8; 16]>());
        core::ptr::write_unaligned(d.cast::<[u8; 16]>(), v);
    }
}

/// The 16 bytes `p[i % off]` (`0 < off < 16`).
///
/// # Safety
/// `p` must be valid for 16 byte reads.
#[inline(always)]
unsafe fn period_pattern_raw(p: *const u8, off: usize) -> [u8; 16] {
    let idx = PERIOD_INDEX.get(off).copied().unwrap_or([0; 16]);
    // SAFETY: the caller's contract.
    let v = unsafe { core::ptr::read_unaligned(p.cast::<[u8; 16]>()) };
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{i8x16_swizzle, v128};
        // SAFETY: `[u8; 16]` and `v128` are both 16 plain bytes (any bit pattern is valid).
        unsafe {
            let (pv, iv) = (core::mem::transmute::<[u8; 16], v128>(v), core::mem::transmute::<[u8; 16], v128>(idx));
            core::mem::transmute::<v128, [u8; 16]>(i8x16_swizzle(pv, iv))
        }
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        idx.map(|i| v.get(usize::from(i)).copied().unwrap_or(0))
    }
}

/// Read an LZ4 length continuation (bytes of 255 then a final byte), or `None` when the
/// block ends first.
#[inline]
fn read_len(block: &[u8], ip: &mut usize) -> Option<usize> {
    let mut n = 0usize;
    loop {
        let b = *block.get(*ip)?;
        *ip = ip.saturating_add(1);
        n = n.saturating_add(usize::from(b));
        if b != 255 {
            return Some(n);
        }
    }
}

/// Copy the match `out[from..from + ml]` to `out[op..]` with LZ4 semantics (the source
/// may overlap the bytes being written). Caller: `from < op`, `op + ml <= out.len()`.
#[inline(always)]
pub(crate) fn copy_match(out: &mut [u8], from: usize, op: usize, ml: usize) {
    let off = op.saturating_sub(from);
    let end = op.saturating_add(ml);
    let wild = ml.div_ceil(16).saturating_mul(16);
    if off >= 16 && ml <= 64 && op.saturating_add(wild) <= out.len() {
        // 16-byte steps; with `off >= 16` each step reads bytes already final.
        let mut k = 0;
        while k < ml {
            let mut tmp = [0u8; 16];
            if let Some(s) = out.get(from.saturating_add(k)..from.saturating_add(k).saturating_add(16)) {
                tmp.copy_from_slice(s);
            }
            if let Some(d) = out.get_mut(op.saturating_add(k)..op.saturating_add(k).saturating_add(16)) {
                d.copy_from_slice(&tmp);
            }
            k = k.saturating_add(16);
        }
    } else if off >= ml {
        out.copy_within(from..from.saturating_add(ml), op);
    } else if off == 1 {
        let b = out.get(from).copied().unwrap_or(0);
        if let Some(d) = out.get_mut(op..end) {
            d.fill(b);
        }
    } else if off < 16 && ml <= 64 && op.saturating_add(ml).saturating_add(16) <= out.len() {
        // Short overlapping match: a 16-byte pattern of whole periods (`step` bytes,
        // a multiple of `off`), written in steps of `step`; extra bytes are rewritten later.
        // The pattern comes from a table of `i % off` (no division per byte: sixteen
        // divisions per match made uint16 imagery, whose high-byte planes are runs of short
        // periods, the slowest Blosc case).
        let pat = period_pattern(out, from, off);
        let step = usize::from(PERIOD_STEP.get(off).copied().unwrap_or(16)).max(1);
        let mut k = 0;
        while k < ml {
            if let Some(d) = out.get_mut(op.saturating_add(k)..op.saturating_add(k).saturating_add(16)) {
                d.copy_from_slice(&pat);
            }
            k = k.saturating_add(step);
        }
    } else if ml <= 32 {
        for k in 0..ml {
            let b = out.get(from.saturating_add(k)).copied().unwrap_or(0);
            if let Some(o) = out.get_mut(op.saturating_add(k)) {
                *o = b;
            }
        }
    } else {
        // `out[from..op + done]` repeats with period `off`, and `op + done - from` stays a
        // multiple of `off`, so copying from `from` continues the pattern. A short period
        // first gets up to 256 bytes of 16-byte pattern stores (whole `step`s, so `done`
        // stays a multiple of `off`): the first doubling copies are tiny `memory.copy`
        // calls, which dominated the long runs of sparse fields (lz4 sparse
        // precipitation: 262 such matches per MiB, half of its output).
        let mut done = 0usize;
        if off < 16 && op.saturating_add(256 + 16) <= out.len() {
            let pat = period_pattern(out, from, off);
            let step = usize::from(PERIOD_STEP.get(off).copied().unwrap_or(16)).max(1);
            let limit = ml.min(256);
            while done.saturating_add(step) <= limit {
                if let Some(d) = out.get_mut(op.saturating_add(done)..op.saturating_add(done).saturating_add(16)) {
                    d.copy_from_slice(&pat);
                }
                done = done.saturating_add(step);
            }
        }
        while done < ml {
            let n = off.saturating_add(done).min(ml.saturating_sub(done));
            out.copy_within(from..from.saturating_add(n), op.saturating_add(done));
            done = done.saturating_add(n);
        }
    }
}

/// `PERIOD_INDEX[off][i] = i % off` (row 0 unused). Built at compile time (an indexing
/// error would fail the build, not panic).
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const PERIOD_INDEX: [[u8; 16]; 16] = {
    let mut t = [[0u8; 16]; 16];
    let mut off = 1;
    while off < 16 {
        let mut i = 0;
        while i < 16 {
            t[off][i] = (i % off) as u8;
            i += 1;
        }
        off += 1;
    }
    t
};

/// `PERIOD_STEP[off]`: the whole periods of `off` bytes that fit in 16 (row 0 unused).
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const PERIOD_STEP: [u8; 16] = {
    let mut t = [16u8; 16];
    let mut off = 1;
    while off < 16 {
        t[off] = (16 - 16 % off) as u8;
        off += 1;
    }
    t
};

/// The 16 bytes `out[from + i % off]` (`0 < off < 16`, `from + 16 <= out.len()`; bytes
/// out of bounds read as 0).
#[inline(always)]
fn period_pattern(out: &[u8], from: usize, off: usize) -> [u8; 16] {
    let idx = PERIOD_INDEX.get(off).copied().unwrap_or([0; 16]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{i8x16_swizzle, v128, v128_load, v128_store};
        if let Some(src) = out.get(from..from.saturating_add(16)) {
            let mut pat = [0u8; 16];
            // SAFETY: `src`, `idx` and `pat` are 16 bytes long.
            unsafe {
                let v = i8x16_swizzle(v128_load(src.as_ptr() as *const v128), v128_load(idx.as_ptr() as *const v128));
                v128_store(pat.as_mut_ptr() as *mut v128, v);
            }
            return pat;
        }
    }
    let src = out.get(from..).unwrap_or_default();
    idx.map(|i| src.get(usize::from(i)).copied().unwrap_or(0))
}

impl BytesToBytesCodec for Lz4Codec {
    fn decode(&self, encoded: Vec<u8>, expected_size: Option<u64>, limits: &Limits) -> Result<Vec<u8>, CodecError> {
        let cap = output_cap(expected_size, limits)?;
        let declared = read_u32_le(NAME, &encoded, 0)?;
        let size = usize::try_from(declared).map_err(|_| over_cap(NAME, expected_size, declared.into(), limits))?;
        if size > cap {
            return Err(over_cap(NAME, expected_size, declared.into(), limits));
        }
        // An LZ4 block expands at most ~255x: refuse sizes the input cannot produce.
        let body = encoded.get(4..).unwrap_or_default();
        if size > body.len().saturating_mul(255).saturating_add(16) {
            return Err(format_err(NAME, format!("declared size {size} is impossible for {} input bytes", body.len())));
        }
        let mut out = vec![0u8; size];
        decompress_block_into(NAME, body, &mut out)?;
        Ok(out)
    }

    /// Decode straight into `out` (no intermediate buffer: for 1 MiB chunks of sparse
    /// data, allocating, zeroing and copying one cost twice the decoding).
    fn decode_into(&self, encoded: Vec<u8>, out: &mut [u8], limits: &Limits) -> Result<(), CodecError> {
        let expected = u64::try_from(out.len()).unwrap_or(u64::MAX);
        output_cap(Some(expected), limits)?;
        let declared = read_u32_le(NAME, &encoded, 0)?;
        if u64::from(declared) != expected {
            return Err(CodecError::SizeMismatch { codec: NAME, expected, got: declared.into() });
        }
        decompress_block_into(NAME, encoded.get(4..).unwrap_or_default(), out)
    }
}

/// The tests also run in wasm, where the fast loop's period patterns use SIMD128:
/// `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test
/// --target wasm32-unknown-unknown --features simd --lib codecs::lz4`.
#[cfg(test)]
mod tests {
    use super::*;

    fn lz4_of(data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_le_bytes().to_vec();
        v.extend(lz4_flex::block::compress(data));
        v
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn framing_caps_and_garbage() {
        let l = Limits::default();
        let data: Vec<u8> = (0..5000u32).map(|i| (i % 13) as u8).collect();
        let enc = lz4_of(&data);
        assert_eq!(Lz4Codec.decode(enc.clone(), Some(5000), &l).unwrap(), data);
        assert!(matches!(Lz4Codec.decode(enc.clone(), Some(4999), &l), Err(CodecError::SizeMismatch { .. })));
        let mut huge = enc.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(Lz4Codec.decode(huge, None, &l), Err(CodecError::LimitExceeded(_))));
        let mut lie = enc.clone();
        lie[..4].copy_from_slice(&6000u32.to_le_bytes());
        assert!(Lz4Codec.decode(lie, None, &l).is_err());
        assert!(Lz4Codec.decode(vec![1, 0], None, &l).is_err());
        assert!(Lz4Codec.decode(enc[..enc.len() - 5].to_vec(), None, &l).is_err());
        assert_eq!(Lz4Codec.decode(lz4_of(&[]), None, &l).unwrap(), Vec::<u8>::new());
        // In place: the same bytes, and a declared size other than `out.len()` refused.
        let mut out = vec![0u8; 5000];
        Lz4Codec.decode_into(enc.clone(), &mut out, &l).unwrap();
        assert_eq!(out, data);
        for n in [4999, 5001] {
            let mut out = vec![0u8; n];
            assert!(matches!(Lz4Codec.decode_into(enc.clone(), &mut out, &l), Err(CodecError::SizeMismatch { .. })));
        }
        let mut out = vec![0u8; 5000];
        assert!(Lz4Codec.decode_into(enc[..enc.len() - 5].to_vec(), &mut out, &l).is_err());
        assert!(Lz4Codec.decode_into(vec![1, 0], &mut out, &l).is_err());
        let tight = Limits { max_decoded_chunk_bytes: 4999, ..Limits::default() };
        assert!(matches!(Lz4Codec.decode_into(enc, &mut out, &tight), Err(CodecError::LimitExceeded(_))));
        let mut empty = [];
        Lz4Codec.decode_into(lz4_of(&[]), &mut empty, &l).unwrap();
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn decoder_matches_lz4_flex_and_survives_garbage() {
        let mut rng = crate::kernels::TestRng::new(31);
        for _ in 0..400 {
            // Runs of repeated short patterns (offsets 1..20) and random bytes.
            let mut data = Vec::new();
            let target = rng.below(20_000);
            while data.len() < target {
                let period = 1 + rng.below(20);
                let pat = rng.bytes(period);
                let n = rng.below(300);
                data.extend((0..n).map(|i| pat[i % period]));
                let k = rng.below(40);
                data.extend(rng.bytes(k));
            }
            let block = lz4_flex::block::compress(&data);
            let mut out = vec![0u8; data.len()];
            decompress_block_into(NAME, &block, &mut out).unwrap();
            assert_eq!(out, data);
            let mut g = block.clone();
            for _ in 0..3 {
                let i = rng.below(g.len().max(1));
                if let Some(b) = g.get_mut(i) {
                    *b = rng.next_u64() as u8;
                }
            }
            g.truncate(rng.below(g.len() + 1));
            let _ = decompress_block_into(NAME, &g, &mut out);
        }
    }

    /// A byte-by-byte LZ4 block decoder straight from the format description (`None` for
    /// a malformed block). `decompress_block_into` must decode a block into `olen` bytes
    /// exactly when this gives `olen` bytes (the output only grows, so a block that
    /// decodes to `olen` bytes never writes past them on the way).
    fn reference(block: &[u8]) -> Option<Vec<u8>> {
        if block.is_empty() {
            return Some(Vec::new());
        }
        fn len(block: &[u8], ip: &mut usize) -> Option<usize> {
            let mut n = 0;
            loop {
                let b = *block.get(*ip)?;
                *ip += 1;
                n += usize::from(b);
                if b != 255 {
                    return Some(n);
                }
            }
        }
        let mut out = Vec::new();
        let mut ip = 0;
        loop {
            let token = *block.get(ip)?;
            ip += 1;
            let mut lit = usize::from(token >> 4);
            if lit == 15 {
                lit += len(block, &mut ip)?;
            }
            out.extend_from_slice(block.get(ip..ip + lit)?);
            ip += lit;
            if ip == block.len() {
                return Some(out);
            }
            let off = usize::from(u16::from_le_bytes([*block.get(ip)?, *block.get(ip + 1)?]));
            ip += 2;
            let mut ml = usize::from(token & 15);
            if ml == 15 {
                ml += len(block, &mut ip)?;
            }
            ml += 4;
            if off == 0 || off > out.len() {
                return None;
            }
            for _ in 0..ml {
                out.push(out[out.len() - off]);
            }
        }
    }

    fn reference_decode(block: &[u8], olen: usize) -> Option<Vec<u8>> {
        reference(block).filter(|o| o.len() == olen)
    }

    /// Append one sequence (`off`/`ml` ignored when `ml == 0`: the last, literals only).
    fn push_seq(block: &mut Vec<u8>, lit: &[u8], off: u16, ml: usize) {
        let ext = |block: &mut Vec<u8>, mut n: usize| loop {
            let b = n.min(255);
            block.push(b as u8);
            n -= b;
            if b < 255 {
                break;
            }
        };
        let l = lit.len();
        let m = ml.saturating_sub(4);
        block.push(((l.min(15) as u8) << 4) | if ml == 0 { 0 } else { m.min(15) as u8 });
        if l >= 15 {
            ext(block, l - 15);
        }
        block.extend_from_slice(lit);
        if ml != 0 {
            block.extend_from_slice(&off.to_le_bytes());
            if m >= 15 {
                ext(block, m - 15);
            }
        }
    }

    /// Decode `block` into `olen` bytes with both decoders and compare (results and
    /// errors); returns whether it decoded.
    fn check(block: &[u8], olen: usize) -> bool {
        let want = reference_decode(block, olen);
        let mut out = vec![0xA5; olen];
        let got = decompress_block_into(NAME, block, &mut out);
        match want {
            Some(w) => {
                assert!(got.is_ok(), "{got:?}");
                assert_eq!(out, w);
                true
            }
            None => {
                assert!(got.is_err());
                false
            }
        }
    }

    /// The decoded size of a well-formed block.
    fn decoded_len(block: &[u8]) -> usize {
        reference(block).unwrap().len()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn short_offsets_in_and_out_of_the_fast_loop() {
        let mut rng = crate::kernels::TestRng::new(7);
        for off in 1..=15u16 {
            for ml in [4, 5, 15, 16, 17, 18, 19, 20, 31, 33, 64, 100, 272, 273, 274, 300] {
                for tail in [0, 1, 5, 12, 16, 30, 47, 48, 64] {
                    // Enough history for the offset, the match, then `tail` literals (the
                    // output ends `tail` bytes after the match: fast loop or not).
                    let mut block = Vec::new();
                    push_seq(&mut block, &rng.bytes(usize::from(off) + 3), off, ml);
                    push_seq(&mut block, &rng.bytes(2), off, ml);
                    push_seq(&mut block, &rng.bytes(tail), 0, 0);
                    let olen = usize::from(off) + 3 + ml + 2 + ml + tail;
                    assert_eq!(decoded_len(&block), olen);
                    assert!(check(&block, olen), "off {off} ml {ml} tail {tail}");
                    let w = reference_decode(&block, olen).unwrap();
                    for (i, &b) in w.iter().enumerate().skip(usize::from(off) + 3).take(ml) {
                        assert_eq!(b, w[i - usize::from(off)]);
                    }
                    // One byte too few / too many is an error.
                    assert!(!check(&block, olen - 1));
                    assert!(!check(&block, olen + 1));
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn literal_runs_in_and_out_of_the_fast_loop() {
        let mut rng = crate::kernels::TestRng::new(8);
        for lit in [0, 1, 14, 15, 16, 17, 30, 31, 32, 33, 64, 268, 269, 270, 271, 300, 600] {
            for off in [1u16, 2, 7, 16, 17, 40] {
                for ml in [4, 18, 19, 40] {
                    for tail in [0, 5, 17, 48, 100] {
                        let mut block = Vec::new();
                        push_seq(&mut block, &rng.bytes(40), 40, 4);
                        push_seq(&mut block, &rng.bytes(lit), off, ml);
                        push_seq(&mut block, &rng.bytes(lit), off, ml);
                        push_seq(&mut block, &rng.bytes(tail), 0, 0);
                        let olen = 44 + 2 * (lit + ml) + tail;
                        assert_eq!(decoded_len(&block), olen);
                        assert!(check(&block, olen), "lit {lit} off {off} ml {ml} tail {tail}");
                    }
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn random_sequences_match_the_reference() {
        let mut rng = crate::kernels::TestRng::new(9);
        for round in 0..600 {
            let mut block = Vec::new();
            let mut op = 0usize;
            let count = rng.below(60);
            for _ in 0..count {
                let lit = match rng.below(4) {
                    0 => 0,
                    1 => rng.below(15),
                    2 => rng.below(40),
                    _ => rng.below(700),
                };
                op += lit;
                if op == 0 {
                    continue;
                }
                let off = match rng.below(3) {
                    0 => 1 + rng.below(15.min(op)),
                    1 => 1 + rng.below(40.min(op)),
                    _ => 1 + rng.below(op.min(65535)),
                };
                let ml = 4 + match rng.below(3) {
                    0 => rng.below(15),
                    1 => rng.below(40),
                    _ => rng.below(600),
                };
                push_seq(&mut block, &rng.bytes(lit), off as u16, ml);
                op += ml;
            }
            let tail = rng.below(30);
            push_seq(&mut block, &rng.bytes(tail), 0, 0);
            op += tail;
            assert!(check(&block, op), "round {round}");
            // Every truncation and a few corrupted bytes: same verdict and output as the
            // reference, never a panic.
            for cut in [0, 1, 2, 3, block.len() / 2, block.len().saturating_sub(3), block.len() - 1] {
                if let Some(b) = block.get(..cut) {
                    check(b, op);
                    check(b, reference(b).map_or(op, |o| o.len()));
                }
            }
            let mut g = block.clone();
            let i = rng.below(g.len());
            g[i] = rng.next_u64() as u8;
            if let Some(o) = reference(&g) {
                assert!(check(&g, o.len()));
            }
            check(&g, op);
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn malformed_blocks_are_format_errors() {
        let fmt = |block: &[u8], olen: usize| {
            let mut out = vec![0; olen];
            let r = decompress_block_into(NAME, block, &mut out);
            assert!(matches!(r, Err(CodecError::Format { .. }) | Err(CodecError::SizeMismatch { .. })), "{r:?}");
        };
        let lits: Vec<u8> = (0..100).collect();
        for first in [0usize, 3, 20, 80] {
            for (off, ml) in [(0u16, 4usize), (0, 18), (0, 40), (1, 4), (2, 18), (17, 20), (60000, 4)] {
                // Offset 0, or reaching before the output start (the first `first`
                // bytes are all there is), then enough bytes for the fast loop.
                if usize::from(off) <= first && off != 0 {
                    continue;
                }
                let mut block = Vec::new();
                push_seq(&mut block, &lits[..first], off, ml);
                push_seq(&mut block, &lits, 0, 0);
                assert!(reference_decode(&block, first + ml + 100).is_none());
                fmt(&block, first + ml + 100);
                fmt(&block, 4096);
            }
        }
        // A match or literals past the output end, in and out of the fast loop.
        let mut block = Vec::new();
        push_seq(&mut block, &lits[..20], 20, 18);
        push_seq(&mut block, &lits, 0, 0);
        for olen in [0, 10, 20, 37, 137, 139] {
            fmt(&block, olen);
        }
        // Truncated: in the literal length, the offset, the match length, the literals.
        for block in [vec![0xF0], vec![0xF0, 255], vec![0x1F, 7, 1], vec![0x1F, 7, 1, 0, 255], vec![0x50, 1, 2]] {
            for olen in [0, 1, 2, 100, 1000] {
                fmt(&block, olen);
            }
        }
        // A long stream of valid sequences then one bad offset deep inside the fast loop.
        let mut block = Vec::new();
        push_seq(&mut block, &lits[..20], 20, 8);
        for _ in 0..50 {
            push_seq(&mut block, &lits[..3], 5, 9);
        }
        let good = block.clone();
        push_seq(&mut block, &lits[..3], 0, 9);
        push_seq(&mut block, &lits, 0, 0);
        fmt(&block, 28 + 50 * 12 + 12 + 100);
        let mut block = good;
        push_seq(&mut block, &lits[..3], 60000, 9);
        push_seq(&mut block, &lits, 0, 0);
        fmt(&block, 28 + 50 * 12 + 12 + 100);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn lz4_flex_round_trips_short_periods() {
        let mut rng = crate::kernels::TestRng::new(10);
        for period in 1..=17 {
            for run in [4, 15, 16, 17, 18, 19, 20, 33, 70, 300, 5000] {
                // Short runs of a short period between literal runs of every length class.
                let mut data = Vec::new();
                for lit in [0, 3, 14, 15, 16, 30, 300] {
                    let pat = rng.bytes(period);
                    data.extend((0..run + period).map(|i| pat[i % period]));
                    data.extend(rng.bytes(lit));
                }
                let block = lz4_flex::block::compress(&data);
                assert!(check(&block, data.len()));
                let mut out = vec![0u8; data.len()];
                decompress_block_into(NAME, &block, &mut out).unwrap();
                assert_eq!(out, data, "period {period} run {run}");
            }
        }
    }
}
