//! Range I/O in wasm in headless chromium: real cross-origin ranges from the local range
//! server. Run with `scripts/test-wasm.sh` (it starts the server and bakes its URL in).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/wasm_io.rs"]
mod wasm_io;

/// Proves the suite really runs in a browser page, not in node.
#[wasm_bindgen_test::wasm_bindgen_test]
fn runs_in_a_browser() {
    assert!(web_sys::window().is_some(), "no window: not a browser page");
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).expect("navigator");
    let ua = js_sys::Reflect::get(&navigator, &"userAgent".into()).expect("userAgent").as_string().unwrap_or_default();
    assert!(ua.contains("Chrome"), "{ua}");
}
