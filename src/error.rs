//! Errors, one `#[non_exhaustive]` enum per layer, carrying data rather than prose.
//!
//! Every error maps to one [`ErrorKind`], whose [`ErrorKind::name`] is the `name` tag of
//! the JavaScript `Error` produced at the wasm boundary (`src/wasm/`), so that callers
//! can test `e.name === "NotFound"` instead of parsing messages. A worker's reply keeps
//! the tag.

use std::fmt;

/// The tag a caller can branch on, the same in Rust (`Error::kind`) and JS (`e.name`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The object (file, chunk, metadata document) does not exist (HTTP 404).
    NotFound,
    /// The server ignored a `Range` header (200 instead of 206) or cannot serve ranges.
    RangeNotSupported,
    /// Any other HTTP or transport failure (403, 416, 5xx after retries, network error).
    Http,
    /// The bytes or the metadata do not follow the format.
    Format,
    /// A codec that this build does not implement.
    UnsupportedCodec,
    /// A feature of the format that this build does not implement (a data type, a marker).
    Unsupported,
    /// A size, count or dimension above a configured limit.
    LimitExceeded,
    /// The caller aborted (an `AbortSignal`) or a timeout fired.
    Aborted,
    /// A checksum carried by the data does not match.
    Checksum,
    /// The caller passed an invalid argument (selection out of bounds, bad range).
    InvalidArgument,
}

impl ErrorKind {
    /// The `name` of the JavaScript `Error` for this kind.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "NotFound",
            ErrorKind::RangeNotSupported => "RangeNotSupported",
            ErrorKind::Http => "Http",
            ErrorKind::Format => "Format",
            ErrorKind::UnsupportedCodec => "UnsupportedCodec",
            ErrorKind::Unsupported => "Unsupported",
            ErrorKind::LimitExceeded => "LimitExceeded",
            ErrorKind::Aborted => "Aborted",
            ErrorKind::Checksum => "Checksum",
            ErrorKind::InvalidArgument => "InvalidArgument",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A size, count or dimension above a limit in [`crate::limits::Limits`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {requested} exceeds the limit of {max} (raise it in Limits if the input is trusted)")]
pub struct LimitExceeded {
    /// What was being sized, e.g. `"decoded chunk bytes"`.
    pub what: &'static str,
    /// What the input asked for.
    pub requested: u64,
    /// The configured maximum.
    pub max: u64,
}

/// Errors of the range I/O layer (`src/io/`).
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum IoError {
    #[error("not found: {url}")]
    NotFound { url: String },
    #[error("{url}: the server answered {status} to a range request instead of 206 Partial Content; it does not support ranges (allow whole downloads to accept this)")]
    NotPartial { url: String, status: u16 },
    #[error("{url}: HTTP {status}{}", if .message.is_empty() { String::new() } else { format!(": {}", .message) })]
    Http { url: String, status: u16, message: String },
    #[error("{url}: range {range} not satisfiable (HTTP 416)")]
    RangeNotSatisfiable { url: String, range: String },
    #[error("{url}: Content-Range {got:?} does not match the requested range {expected}")]
    BadContentRange { url: String, expected: String, got: Option<String> },
    #[error("{url}: body has {got} bytes, expected {expected}")]
    Truncated { url: String, expected: u64, got: u64 },
    #[error("{url}: network error: {message}")]
    Network { url: String, message: String },
    #[error("request timed out after {ms} ms: {url}")]
    Timeout { url: String, ms: u64 },
    #[error("aborted")]
    Aborted,
    #[error("invalid byte range: {reason}")]
    InvalidRange { reason: String },
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    #[error("unsupported: {feature}")]
    Unsupported { feature: String },
}

impl IoError {
    /// The tag of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            IoError::NotFound { .. } => ErrorKind::NotFound,
            IoError::NotPartial { .. } => ErrorKind::RangeNotSupported,
            IoError::Http { .. }
            | IoError::RangeNotSatisfiable { .. }
            | IoError::BadContentRange { .. }
            | IoError::Truncated { .. }
            | IoError::Network { .. } => ErrorKind::Http,
            IoError::Timeout { .. } | IoError::Aborted => ErrorKind::Aborted,
            IoError::InvalidRange { .. } => ErrorKind::InvalidArgument,
            IoError::LimitExceeded(_) => ErrorKind::LimitExceeded,
            IoError::Unsupported { .. } => ErrorKind::Unsupported,
        }
    }

    /// Whether retrying the same request may succeed (5xx, network errors).
    pub fn is_transient(&self) -> bool {
        match self {
            IoError::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            IoError::Network { .. } | IoError::Truncated { .. } => true,
            _ => false,
        }
    }
}

/// Errors of the codecs (`src/codecs/`): pure functions of bytes.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum CodecError {
    #[error("unsupported codec {id:?}")]
    UnsupportedCodec { id: String },
    #[error("{codec}: invalid configuration: {message}")]
    Config { codec: &'static str, message: String },
    #[error("{codec}: malformed input: {message}")]
    Format { codec: &'static str, message: String },
    #[error("{codec}: decoded size {got} does not match the expected {expected}")]
    SizeMismatch { codec: &'static str, expected: u64, got: u64 },
    #[error("{codec}: checksum mismatch (stored {stored:#x}, computed {computed:#x})")]
    Checksum { codec: &'static str, stored: u64, computed: u64 },
    #[error("{codec}: unsupported: {feature}")]
    Unsupported { codec: &'static str, feature: String },
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

impl CodecError {
    /// The tag of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CodecError::UnsupportedCodec { .. } => ErrorKind::UnsupportedCodec,
            CodecError::Config { .. } | CodecError::Format { .. } | CodecError::SizeMismatch { .. } => {
                ErrorKind::Format
            }
            CodecError::Checksum { .. } => ErrorKind::Checksum,
            CodecError::Unsupported { .. } => ErrorKind::Unsupported,
            CodecError::LimitExceeded(_) => ErrorKind::LimitExceeded,
        }
    }
}

/// Errors of the Zarr reader (`src/zarr/`) and the reference stores (`src/refs/`).
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum ZarrError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{path}: {source}")]
    Codec { path: String, source: CodecError },
    #[error("{path}: invalid metadata: {message}")]
    Metadata { path: String, message: String },
    #[error("no array or group at {path:?}")]
    NodeNotFound { path: String },
    #[error("{path}: unsupported: {feature}")]
    Unsupported { path: String, feature: String },
    #[error("{path}: shard index: {message}")]
    ShardIndex { path: String, message: String },
    #[error("invalid selection: {message}")]
    Selection { message: String },
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

impl ZarrError {
    /// The tag of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ZarrError::Io(e) => e.kind(),
            ZarrError::Codec { source, .. } => source.kind(),
            ZarrError::Metadata { .. } | ZarrError::ShardIndex { .. } => ErrorKind::Format,
            ZarrError::NodeNotFound { .. } => ErrorKind::NotFound,
            ZarrError::Unsupported { .. } => ErrorKind::Unsupported,
            ZarrError::Selection { .. } => ErrorKind::InvalidArgument,
            ZarrError::LimitExceeded(_) => ErrorKind::LimitExceeded,
        }
    }
}

/// Errors of the JPEG 2000 reader (`src/jp2/`).
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum Jp2Error {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("JPEG 2000 format error at byte {offset}: {message}")]
    Format { offset: u64, message: String },
    #[error("JPEG 2000: unsupported: {feature}")]
    Unsupported { feature: String },
    #[error("JPEG 2000 decode failed: {message}")]
    Decode { message: String },
    #[error("tile ({tx}, {ty}) is outside the {across}x{down} tile grid")]
    TileOutOfRange { tx: u32, ty: u32, across: u32, down: u32 },
    #[error("window [{x0}, {x1}) x [{y0}, {y1}) is empty or outside the {width}x{height} image")]
    InvalidRegion { x0: u32, y0: u32, x1: u32, y1: u32, width: u32, height: u32 },
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
}

impl Jp2Error {
    /// The tag of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Jp2Error::Io(e) => e.kind(),
            Jp2Error::Format { .. } | Jp2Error::Decode { .. } => ErrorKind::Format,
            Jp2Error::Unsupported { .. } => ErrorKind::Unsupported,
            Jp2Error::TileOutOfRange { .. } | Jp2Error::InvalidRegion { .. } => ErrorKind::InvalidArgument,
            Jp2Error::LimitExceeded(_) => ErrorKind::LimitExceeded,
        }
    }
}

/// Any error of the crate: what the CLI and the wasm boundary see.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Zarr(#[from] ZarrError),
    #[error(transparent)]
    Jp2(#[from] Jp2Error),
    #[error(transparent)]
    LimitExceeded(#[from] LimitExceeded),
    #[error("invalid argument: {message}")]
    InvalidArgument { message: String },
}

impl Error {
    /// The tag of this error (`e.name` in JavaScript).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io(e) => e.kind(),
            Error::Codec(e) => e.kind(),
            Error::Zarr(e) => e.kind(),
            Error::Jp2(e) => e.kind(),
            Error::LimitExceeded(_) => ErrorKind::LimitExceeded,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_js_names() {
        let e = Error::from(IoError::NotPartial { url: "u".into(), status: 200 });
        assert_eq!(e.kind().name(), "RangeNotSupported");
        let e = Error::from(ZarrError::Codec {
            path: "a/c/0".into(),
            source: CodecError::Checksum { codec: "crc32c", stored: 1, computed: 2 },
        });
        assert_eq!(e.kind().name(), "Checksum");
        let e = Error::from(LimitExceeded { what: "x", requested: 10, max: 5 });
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(e.to_string().contains("10 exceeds the limit of 5"));
    }
}
