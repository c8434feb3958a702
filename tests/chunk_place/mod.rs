//! Shared by the codec fixture suites: assemble decoded chunks into a whole array.

/// Copy the part of a decoded C-order chunk at grid position `idx` that lies inside the
/// array into `out` (C order, whole array).
pub fn place(out: &mut [u8], shape: &[u64], chunks: &[u64], idx: &[u64], chunk: &[u8], isz: usize) {
    let nd = shape.len();
    let origin: Vec<u64> = idx.iter().zip(chunks).map(|(i, c)| i * c).collect();
    let extent: Vec<u64> = (0..nd).map(|d| chunks[d].min(shape[d] - origin[d])).collect();
    let rows: u64 = extent[..nd - 1].iter().product();
    let mut pos = vec![0u64; nd - 1];
    for _ in 0..rows {
        let mut src = 0u64;
        let mut dst = 0u64;
        for d in 0..nd - 1 {
            src = src * chunks[d] + pos[d];
            dst = dst * shape[d] + origin[d] + pos[d];
        }
        let src = (src * chunks[nd - 1]) as usize * isz;
        let dst = (dst * shape[nd - 1] + origin[nd - 1]) as usize * isz;
        let n = extent[nd - 1] as usize * isz;
        out[dst..dst + n].copy_from_slice(&chunk[src..src + n]);
        for d in (0..nd - 1).rev() {
            pos[d] += 1;
            if pos[d] < extent[d] {
                break;
            }
            pos[d] = 0;
        }
    }
}
