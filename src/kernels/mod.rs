//! Hot loops: a scalar reference and, on wasm32 with `simd128`, a SIMD version of each,
//! proven bit-equal by property tests.
