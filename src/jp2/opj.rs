//! Driving the OpenJPEG 2.5 port (crate `openjp2`) over a raw codestream held in memory:
//! a memory stream, decoder setup (`reduce`), header, decode, and the component planes.
//!
//! Why not `jpeg2k::Image::from_bytes_with` (the wrapper this crate used first): its memory
//! stream's skip callback treats the byte count as unsigned, so a *backward* skip moves the
//! position to the end of the buffer. OpenJPEG skips backward once per decode: after the
//! first tile-part it walks the following SOTs looking for a later part of the same tile
//! (the TNsot correction of OpenJPEG issue 254, `opj_j2k_need_nb_tile_parts_correction`)
//! and then seeks back. Inside the port's 1 MiB read buffer the seek is served from the
//! buffer; past it the skip reaches the callback, and every multi-tile codestream larger
//! than the buffer failed with "Stream too short" on its second tile (the 1830² Sentinel-2
//! B04 band of the corpus, 100 tiles, 2.7 MB). The stream here skips both ways, checked
//! against the buffer, and reports the decoder's error messages.
//!
//! The port is pure Rust; the raw pointers below are its C-style API (ISO/IEC 15444-1
//! decoding is entirely inside the port).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use super::decode::ComponentPlane;
use crate::error::Jp2Error;
use openjp2::openjpeg::{
    opj_codec_t, opj_create_decompress, opj_decode, opj_destroy_codec, opj_dparameters_t, opj_end_decompress,
    opj_image_destroy, opj_image_t, opj_read_header, opj_set_default_decoder_parameters, opj_set_error_handler,
    opj_setup_decoder, opj_stream_create, opj_stream_destroy, opj_stream_set_read_function,
    opj_stream_set_seek_function, opj_stream_set_skip_function, opj_stream_set_user_data,
    opj_stream_set_user_data_length, opj_stream_t, CODEC_FORMAT,
};
use std::ffi::{c_char, c_void, CStr};

/// The port's read buffer (its default).
const STREAM_BUFFER: usize = 1 << 20;
/// At most this many bytes of decoder messages are kept for the error.
const MAX_MESSAGES: usize = 1024;

/// The memory stream's state: the codestream and the read position.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Read up to `n` bytes; `usize::MAX` (the port's -1) at the end or on bad arguments.
extern "C" fn read_fn(out: *mut c_void, n: usize, user: *mut c_void) -> usize {
    if out.is_null() || user.is_null() || n == 0 {
        return usize::MAX;
    }
    // SAFETY: `user` is the `Cursor` registered in `decode`, alive until the stream is
    // destroyed, and only the stream (one thread) touches it.
    let c = unsafe { &mut *user.cast::<Cursor<'_>>() };
    let rest = c.buf.get(c.pos..).unwrap_or_default();
    let k = n.min(rest.len());
    if k == 0 {
        return usize::MAX;
    }
    // SAFETY: the port passes a buffer of at least `n >= k` writable bytes.
    let dst = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), k) };
    if let Some(src) = rest.get(..k) {
        dst.copy_from_slice(src);
    }
    c.pos += k;
    k
}

/// Move by `n` bytes, either way; -1 when that leaves the codestream.
extern "C" fn skip_fn(n: i64, user: *mut c_void) -> i64 {
    if user.is_null() {
        return -1;
    }
    // SAFETY: as in `read_fn`.
    let c = unsafe { &mut *user.cast::<Cursor<'_>>() };
    let target = i64::try_from(c.pos).ok().and_then(|p| p.checked_add(n)).and_then(|t| usize::try_from(t).ok());
    match target {
        Some(t) if t <= c.buf.len() => {
            c.pos = t;
            n
        }
        _ => -1,
    }
}

/// Move to `off`; 1 on success, 0 outside the codestream.
extern "C" fn seek_fn(off: i64, user: *mut c_void) -> i32 {
    if user.is_null() {
        return 0;
    }
    // SAFETY: as in `read_fn`.
    let c = unsafe { &mut *user.cast::<Cursor<'_>>() };
    match usize::try_from(off) {
        Ok(t) if t <= c.buf.len() => {
            c.pos = t;
            1
        }
        _ => 0,
    }
}

/// Free the `Cursor` when the stream is destroyed.
extern "C" fn free_fn(user: *mut c_void) {
    if !user.is_null() {
        // SAFETY: `user` came from `Box::into_raw` in `decode` and is freed only here.
        drop(unsafe { Box::from_raw(user.cast::<Cursor<'_>>()) });
    }
}

/// Collect the decoder's error messages (bounded).
extern "C" fn error_fn(msg: *const c_char, user: *mut c_void) {
    if msg.is_null() || user.is_null() {
        return;
    }
    // SAFETY: `user` is the `String` owned by `decode` for the codec's lifetime; `msg` is a
    // NUL-terminated string from the port.
    let (out, m) = unsafe { (&mut *user.cast::<String>(), CStr::from_ptr(msg)) };
    if out.len() < MAX_MESSAGES {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(m.to_string_lossy().trim());
    }
}

/// Owns the port's objects and frees them in order.
struct Handles {
    codec: *mut opj_codec_t,
    stream: *mut opj_stream_t,
    image: *mut opj_image_t,
}

impl Drop for Handles {
    fn drop(&mut self) {
        // SAFETY: each pointer is null or was returned by the port's constructor and is
        // freed once, here.
        unsafe {
            if !self.image.is_null() {
                opj_image_destroy(self.image);
            }
            if !self.codec.is_null() {
                opj_destroy_codec(self.codec);
            }
            if !self.stream.is_null() {
                opj_stream_destroy(self.stream);
            }
        }
    }
}

/// Decode a raw codestream (SOC … EOC) at `reduce`: the components as the port returns
/// them (no palette, no colour transform beyond the codestream's MCT).
///
/// # Errors
/// `Decode` with the decoder's messages when it fails.
pub fn decode(codestream: &[u8], reduce: u32) -> Result<Vec<ComponentPlane>, Jp2Error> {
    let mut messages = String::new();
    let fail = |what: &str, messages: &str| Jp2Error::Decode {
        message: if messages.is_empty() { what.to_string() } else { format!("{what}: {messages}") },
    };
    let mut h = Handles {
        codec: opj_create_decompress(CODEC_FORMAT::OPJ_CODEC_J2K),
        stream: std::ptr::null_mut(),
        image: std::ptr::null_mut(),
    };
    if h.codec.is_null() {
        return Err(fail("cannot create the decoder", ""));
    }
    let cursor = Box::into_raw(Box::new(Cursor { buf: codestream, pos: 0 }));
    // SAFETY: the codec and stream pointers are fresh from the port; the cursor and the
    // message string outlive them (`h` is dropped before `messages` and the borrow of
    // `codestream`); the callbacks match the port's signatures.
    unsafe {
        opj_set_error_handler(h.codec, Some(error_fn), std::ptr::addr_of_mut!(messages).cast());
        h.stream = opj_stream_create(STREAM_BUFFER, 1);
        if h.stream.is_null() {
            free_fn(cursor.cast());
            return Err(fail("cannot create the stream", ""));
        }
        opj_stream_set_read_function(h.stream, Some(read_fn));
        opj_stream_set_skip_function(h.stream, Some(skip_fn));
        opj_stream_set_seek_function(h.stream, Some(seek_fn));
        opj_stream_set_user_data_length(h.stream, codestream.len() as u64);
        opj_stream_set_user_data(h.stream, cursor.cast(), Some(free_fn));

        let mut params = opj_dparameters_t::default();
        opj_set_default_decoder_parameters(&mut params);
        params.cp_reduce = reduce;
        if opj_setup_decoder(h.codec, &mut params) != 1 {
            return Err(fail("decoder setup failed", &messages));
        }
        if opj_read_header(h.stream, h.codec, &mut h.image) != 1 || h.image.is_null() {
            return Err(fail("cannot read the main header", &messages));
        }
        if opj_decode(h.codec, h.stream, h.image) != 1 || opj_end_decompress(h.codec, h.stream) != 1 {
            return Err(fail("decode failed", &messages));
        }
        let comps = (*h.image).comps().unwrap_or_default();
        let planes = comps
            .iter()
            .map(|c| ComponentPlane {
                width: c.w,
                height: c.h,
                precision: u8::try_from(c.prec).unwrap_or(u8::MAX),
                signed: c.sgnd == 1,
                data: c.data().map(<[i32]>::to_vec).unwrap_or_default(),
            })
            .collect();
        drop(h);
        Ok(planes)
    }
}
