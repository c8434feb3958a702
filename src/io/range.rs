//! `ByteRange`: a validated HTTP byte range (RFC 9110 §14.1.2), bounded or suffix.

use crate::error::IoError;
use std::fmt;

/// A range of bytes of one object.
///
/// `Bounded { start, end }` is the half-open interval `[start, end)` (the HTTP header
/// says `bytes=start-(end-1)`); `Suffix(n)` is the last `n` bytes (`bytes=-n`), which
/// needs no prior knowledge of the object's length (shard indexes at the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ByteRange {
    /// `[start, end)`, with `start < end`.
    Bounded { start: u64, end: u64 },
    /// The last `n` bytes, `n > 0`.
    Suffix(u64),
}

impl ByteRange {
    /// `[start, end)`.
    ///
    /// # Errors
    /// [`IoError::InvalidRange`] when `start >= end`.
    pub fn new(start: u64, end: u64) -> Result<Self, IoError> {
        if start >= end {
            return Err(IoError::InvalidRange { reason: format!("empty or reversed range {start}..{end}") });
        }
        Ok(ByteRange::Bounded { start, end })
    }

    /// `[offset, offset + len)`.
    ///
    /// # Errors
    /// [`IoError::InvalidRange`] when `len == 0` or the end overflows `u64`.
    pub fn from_offset_len(offset: u64, len: u64) -> Result<Self, IoError> {
        let end = offset
            .checked_add(len)
            .ok_or_else(|| IoError::InvalidRange { reason: format!("offset {offset} + length {len} overflows") })?;
        Self::new(offset, end)
    }

    /// The last `n` bytes.
    ///
    /// # Errors
    /// [`IoError::InvalidRange`] when `n == 0`.
    pub fn suffix(n: u64) -> Result<Self, IoError> {
        if n == 0 {
            return Err(IoError::InvalidRange { reason: "empty suffix range".into() });
        }
        Ok(ByteRange::Suffix(n))
    }

    /// Number of bytes the range asks for.
    pub fn len(&self) -> u64 {
        match *self {
            ByteRange::Bounded { start, end } => end - start,
            ByteRange::Suffix(n) => n,
        }
    }

    /// Never true for a validated range; here for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of the HTTP `Range` header.
    pub fn header_value(&self) -> String {
        match *self {
            ByteRange::Bounded { start, end } => format!("bytes={}-{}", start, end - 1),
            ByteRange::Suffix(n) => format!("bytes=-{n}"),
        }
    }

    /// Resolve against an object of `size` bytes: the absolute `[start, end)`, clipped
    /// as HTTP clips (a suffix longer than the object is the whole object; a bounded
    /// range past the end is cut at the end).
    ///
    /// # Errors
    /// [`IoError::InvalidRange`] when the range starts at or after `size`.
    pub fn resolve(&self, size: u64) -> Result<(u64, u64), IoError> {
        match *self {
            ByteRange::Bounded { start, end } => {
                if start >= size {
                    return Err(IoError::InvalidRange {
                        reason: format!("range {self} starts past the object's {size} bytes"),
                    });
                }
                Ok((start, end.min(size)))
            }
            ByteRange::Suffix(n) => Ok((size.saturating_sub(n), size)),
        }
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        assert_eq!(ByteRange::new(0, 10).unwrap().header_value(), "bytes=0-9");
        assert_eq!(ByteRange::suffix(16).unwrap().header_value(), "bytes=-16");
        assert!(ByteRange::new(5, 5).is_err());
        assert!(ByteRange::from_offset_len(u64::MAX, 2).is_err());
        assert!(ByteRange::suffix(0).is_err());
    }

    #[test]
    fn resolve_clips_like_http() {
        assert_eq!(ByteRange::suffix(100).unwrap().resolve(40).unwrap(), (0, 40));
        assert_eq!(ByteRange::new(10, 100).unwrap().resolve(40).unwrap(), (10, 40));
        assert!(ByteRange::new(40, 50).unwrap().resolve(40).is_err());
    }
}
