//! The C allocator symbols the OpenJPEG port (crate `openjp2`) links against on
//! wasm32-unknown-unknown, which has no libc: `malloc`, `calloc`, `realloc`, `free` and
//! `strcpy` over `std::alloc`, each block prefixed by a 16-byte header holding its size
//! (so `free`/`realloc` can rebuild the `Layout`). Also the global allocator: `System`,
//! except that deallocating a null pointer is ignored (the port does it, and the wasm
//! allocator would trap). See ../shared/TOOLCHAIN.md, "The OpenJPEG port in wasm".

use std::alloc::{GlobalAlloc, Layout, System};

/// Header size and alignment of every block (enough for any C type on wasm32).
const HEADER: usize = 16;

/// `System`, ignoring `dealloc(null)`.
pub struct NullTolerantAlloc;

// SAFETY: every method forwards to `System` with the caller's arguments, except a null
// `dealloc`, which is a no-op (nothing was allocated).
unsafe impl GlobalAlloc for NullTolerantAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: `ptr` is non-null and was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: NullTolerantAlloc = NullTolerantAlloc;

fn layout_for(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

/// Allocate `size` bytes (zeroed or not) with a size header; null on failure.
unsafe fn alloc_with_header(size: usize, zeroed: bool) -> *mut u8 {
    let Some(layout) = layout_for(size) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `layout` has a non-zero size (at least HEADER).
    let base = unsafe {
        if zeroed {
            std::alloc::alloc_zeroed(layout)
        } else {
            std::alloc::alloc(layout)
        }
    };
    if base.is_null() {
        return base;
    }
    // SAFETY: `base` points to at least HEADER bytes, aligned to HEADER (≥ align of usize).
    unsafe {
        (base as *mut usize).write(size);
        base.add(HEADER)
    }
}

/// C `malloc`.
#[no_mangle]
pub unsafe extern "C" fn malloc(size: usize) -> *mut u8 {
    // SAFETY: allocation has no precondition.
    unsafe { alloc_with_header(size, false) }
}

/// C `calloc`.
#[no_mangle]
pub unsafe extern "C" fn calloc(n: usize, size: usize) -> *mut u8 {
    match n.checked_mul(size) {
        // SAFETY: allocation has no precondition.
        Some(total) => unsafe { alloc_with_header(total, true) },
        None => std::ptr::null_mut(),
    }
}

/// C `free`.
#[no_mangle]
pub unsafe extern "C" fn free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: `ptr` came from `malloc`/`calloc`/`realloc`, so HEADER bytes before it hold
    // the size the block was allocated with, and that layout is valid.
    unsafe {
        let base = ptr.sub(HEADER);
        let size = (base as *const usize).read();
        if let Some(layout) = layout_for(size) {
            std::alloc::dealloc(base, layout);
        }
    }
}

/// C `realloc`.
#[no_mangle]
pub unsafe extern "C" fn realloc(ptr: *mut u8, new_size: usize) -> *mut u8 {
    if ptr.is_null() {
        // SAFETY: allocation has no precondition.
        return unsafe { alloc_with_header(new_size, false) };
    }
    let Some(new_layout) = layout_for(new_size) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `ptr` came from our allocator (header before it); `realloc` keeps the
    // alignment of the old layout and gets a valid new size.
    unsafe {
        let base = ptr.sub(HEADER);
        let old = (base as *const usize).read();
        let Some(old_layout) = layout_for(old) else {
            return std::ptr::null_mut();
        };
        let nb = std::alloc::realloc(base, old_layout, new_layout.size());
        if nb.is_null() {
            return nb;
        }
        (nb as *mut usize).write(new_size);
        nb.add(HEADER)
    }
}

/// C `strcpy`.
#[no_mangle]
pub unsafe extern "C" fn strcpy(dst: *mut u8, src: *const u8) -> *mut u8 {
    // SAFETY: the C contract: `src` is NUL-terminated and `dst` large enough for it.
    unsafe {
        let mut i = 0usize;
        loop {
            let c = *src.add(i);
            *dst.add(i) = c;
            if c == 0 {
                break;
            }
            i += 1;
        }
    }
    dst
}
