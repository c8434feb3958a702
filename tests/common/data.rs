//! Test data the codec tests share: a seeded xorshift generator (the same sequence on
//! every run), a synthetic float field, and a pipe through an installed reference tool.

use std::io::Write;
use std::process::{Command, Stdio};

/// xorshift64: deterministic pseudo-random numbers from a non-zero seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

/// `n` little-endian f32 of a smooth temperature-like field (about 280 ± 10) with noise
/// from `r` in the last digits.
pub fn float_field(r: &mut Rng, n: u32) -> Vec<u8> {
    (0..n)
        .flat_map(|i| (280.0f32 + (i as f32 / 300.0).sin() * 10.0 + (r.next() % 100) as f32 * 1e-3).to_le_bytes())
        .collect()
}

/// The stdout of `cmd args` given `data` on stdin, or `None` when the command is not
/// installed or fails.
pub fn pipe(cmd: &str, args: &[&str], data: &[u8]) -> Option<Vec<u8>> {
    let mut child =
        Command::new(cmd).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    let d = data.to_vec();
    let w = std::thread::spawn(move || stdin.write_all(&d));
    let out = child.wait_with_output().ok()?;
    w.join().ok()?.ok()?;
    out.status.success().then_some(out.stdout)
}
