//! Rust errors → JavaScript `Error`s whose `name` is [`ErrorKind::name`] and whose
//! fields carry the error's data (`status`, `url`, `requested`, `max`, ...), so callers
//! branch on `e.name` and read numbers instead of parsing messages.

use crate::error::{CodecError, Error, IoError, Jp2Error, LimitExceeded, ZarrError};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The JS error for `e`.
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name(e.kind().name());
    let obj: &JsValue = err.as_ref();
    match e {
        Error::Io(io) => io_fields(obj, io),
        Error::Codec(c) => codec_fields(obj, c),
        Error::Zarr(z) => zarr_fields(obj, z),
        Error::Jp2(j) => jp2_fields(obj, j),
        Error::LimitExceeded(l) => limit_fields(obj, "LimitExceeded", l),
        _ => set(obj, "kind", variant_name(e)),
    }
    err.into()
}

/// The error for an invalid argument.
pub fn invalid_argument(message: impl Into<String>) -> JsValue {
    to_js(&Error::InvalidArgument { message: message.into() })
}

fn io_fields(obj: &JsValue, e: &IoError) {
    set(obj, "kind", variant_name(e));
    match e {
        IoError::NotFound { url } => set(obj, "url", url.as_str()),
        IoError::NotPartial { url, status } | IoError::Http { url, status, .. } => {
            set(obj, "url", url.as_str());
            set(obj, "status", f64::from(*status));
        }
        IoError::RangeNotSatisfiable { url, range } => {
            set(obj, "url", url.as_str());
            set(obj, "status", 416.0);
            set(obj, "range", range.as_str());
        }
        IoError::BadContentRange { url, expected, got } => {
            set(obj, "url", url.as_str());
            set(obj, "expected", expected.as_str());
            set(obj, "got", got.as_deref().map_or(JsValue::NULL, JsValue::from));
        }
        IoError::Truncated { url, expected, got } => {
            set(obj, "url", url.as_str());
            set(obj, "expected", num(*expected));
            set(obj, "got", num(*got));
        }
        IoError::Network { url, .. } => set(obj, "url", url.as_str()),
        IoError::Timeout { url, ms } => {
            set(obj, "url", url.as_str());
            set(obj, "ms", num(*ms));
        }
        IoError::LimitExceeded(l) => limit_fields(obj, "LimitExceeded", l),
        IoError::Unsupported { feature } => set(obj, "feature", feature.as_str()),
        _ => {}
    }
}

fn codec_fields(obj: &JsValue, e: &CodecError) {
    set(obj, "kind", variant_name(e));
    match e {
        CodecError::UnsupportedCodec { id } => set(obj, "codec", id.as_str()),
        CodecError::Config { codec, .. } | CodecError::Format { codec, .. } | CodecError::Unsupported { codec, .. } => {
            set(obj, "codec", *codec)
        }
        CodecError::SizeMismatch { codec, expected, got } => {
            set(obj, "codec", *codec);
            set(obj, "expected", num(*expected));
            set(obj, "got", num(*got));
        }
        CodecError::LimitExceeded(l) => limit_fields(obj, "LimitExceeded", l),
        _ => {}
    }
}

fn zarr_fields(obj: &JsValue, e: &ZarrError) {
    match e {
        ZarrError::Io(io) => return io_fields(obj, io),
        ZarrError::Codec { path, source } => {
            codec_fields(obj, source);
            set(obj, "path", path.as_str());
            return;
        }
        _ => {}
    }
    set(obj, "kind", variant_name(e));
    match e {
        ZarrError::Metadata { path, .. }
        | ZarrError::NodeNotFound { path }
        | ZarrError::Unsupported { path, .. }
        | ZarrError::ShardIndex { path, .. } => set(obj, "path", path.as_str()),
        ZarrError::LimitExceeded(l) => limit_fields(obj, "LimitExceeded", l),
        _ => {}
    }
}

fn jp2_fields(obj: &JsValue, e: &Jp2Error) {
    if let Jp2Error::Io(io) = e {
        return io_fields(obj, io);
    }
    set(obj, "kind", variant_name(e));
    match e {
        Jp2Error::Format { offset, .. } => set(obj, "offset", num(*offset)),
        Jp2Error::TileOutOfRange { tx, ty, across, down } => {
            set(obj, "tx", f64::from(*tx));
            set(obj, "ty", f64::from(*ty));
            set(obj, "tilesAcross", f64::from(*across));
            set(obj, "tilesDown", f64::from(*down));
        }
        Jp2Error::LimitExceeded(l) => limit_fields(obj, "LimitExceeded", l),
        _ => {}
    }
}

fn limit_fields(obj: &JsValue, kind: &str, l: &LimitExceeded) {
    set(obj, "kind", kind);
    set(obj, "what", l.what);
    set(obj, "requested", num(l.requested));
    set(obj, "max", num(l.max));
}

/// The variant's name from its `Debug` form (`NotPartial { .. }` → `"NotPartial"`), so
/// that variants added later get a `kind` without touching this file.
fn variant_name(e: &impl std::fmt::Debug) -> String {
    let s = format!("{e:?}");
    s.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or_default().to_owned()
}

/// A u64 as a JS number (exact below 2^53, which every size here is).
fn num(v: u64) -> f64 {
    v as f64
}

fn set(obj: &JsValue, key: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh `Error` object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}
