//! A bounds-checked big-endian byte cursor for the JPEG 2000 parsers (ISO/IEC 15444-1
//! stores every field big-endian). Every read past the end is a `Format` error carrying
//! the absolute file offset, never a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use crate::error::Jp2Error;

/// A cursor over `buf`, whose first byte is at absolute file offset `base`.
#[derive(Debug, Clone)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    base: u64,
}

/// A `Format` error at an absolute offset.
pub(crate) fn format_err(offset: u64, message: impl Into<String>) -> Jp2Error {
    Jp2Error::Format { offset, message: message.into() }
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8], base: u64) -> Self {
        Cursor { buf, pos: 0, base }
    }

    /// Absolute file offset of the next byte.
    pub(crate) fn offset(&self) -> u64 {
        self.base.saturating_add(self.pos as u64)
    }

    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], Jp2Error> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(|| {
            format_err(self.offset(), format!("{what}: needs {n} bytes, only {} left", self.remaining()))
        })?;
        let s = self.buf.get(self.pos..end).ok_or_else(|| format_err(self.offset(), what.to_string()))?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn skip(&mut self, n: usize, what: &str) -> Result<(), Jp2Error> {
        self.take(n, what).map(|_| ())
    }

    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, Jp2Error> {
        let s = self.take(1, what)?;
        s.first().copied().ok_or_else(|| format_err(self.offset(), what.to_string()))
    }

    pub(crate) fn u16(&mut self, what: &str) -> Result<u16, Jp2Error> {
        let s = self.take(2, what)?;
        let a: [u8; 2] = s.try_into().map_err(|_| format_err(self.offset(), what.to_string()))?;
        Ok(u16::from_be_bytes(a))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, Jp2Error> {
        let s = self.take(4, what)?;
        let a: [u8; 4] = s.try_into().map_err(|_| format_err(self.offset(), what.to_string()))?;
        Ok(u32::from_be_bytes(a))
    }
}

/// Read a big-endian u16 at `pos` of `buf`, if present.
pub(crate) fn be_u16_at(buf: &[u8], pos: usize) -> Option<u16> {
    let s = buf.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_be_bytes(s.try_into().ok()?))
}

/// Read a big-endian u32 at `pos` of `buf`, if present.
pub(crate) fn be_u32_at(buf: &[u8], pos: usize) -> Option<u32> {
    let s = buf.get(pos..pos.checked_add(4)?)?;
    Some(u32::from_be_bytes(s.try_into().ok()?))
}

/// Read a big-endian u64 at `pos` of `buf`, if present.
pub(crate) fn be_u64_at(buf: &[u8], pos: usize) -> Option<u64> {
    let s = buf.get(pos..pos.checked_add(8)?)?;
    Some(u64::from_be_bytes(s.try_into().ok()?))
}

/// `usize` from `u64`, as a `Format` error when it does not fit (32-bit wasm).
pub(crate) fn to_usize(v: u64, offset: u64, what: &str) -> Result<usize, Jp2Error> {
    usize::try_from(v).map_err(|_| format_err(offset, format!("{what} {v} does not fit in memory")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let b = [0xFF, 0x4F, 0, 0, 0, 7, 9];
        let mut c = Cursor::new(&b, 100);
        assert_eq!(c.u16("m").unwrap(), 0xFF4F);
        assert_eq!(c.u32("n").unwrap(), 7);
        assert_eq!(c.offset(), 106);
        assert!(matches!(c.u16("x"), Err(Jp2Error::Format { offset: 106, .. })));
        assert_eq!(c.u8("y").unwrap(), 9);
        assert_eq!(be_u16_at(&b, 5), Some(0x0709));
        assert_eq!(be_u16_at(&b, 6), None);
    }
}
