//! Every decoder of the codec registry, chosen by the first input byte from
//! `rangetile_fuzz::codec_table()`; the next two bytes give the decoded chunk's element
//! count (array codecs), the third whether the pipeline passes an expected size
//! (bytes→bytes codecs). The output must never exceed its cap.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rangetile::codecs::registry::{from_v2, from_v3, Codec};
use rangetile::codecs::{ArrayBytes, ChunkRepr};
use rangetile::zarr::data_type::FillValue;
use rangetile_fuzz::{codec_table, small_limits, table_data_type, CodecConfig};

fuzz_target!(|data: &[u8]| {
    let [sel, n0, n1, flags, rest @ ..] = data else { return };
    let table = codec_table();
    let (config, typestr) = &table[usize::from(*sel) % table.len()];
    let codec = match config {
        CodecConfig::V2(v) => from_v2(v),
        CodecConfig::V3(name, v) => from_v3(name, Some(v)),
    }
    .expect("every table entry builds");
    let limits = small_limits();
    let n = u64::from(u16::from_le_bytes([*n0, *n1]));
    let data_type = table_data_type(typestr);
    let shape = if matches!(config, CodecConfig::V3("transpose", _)) { vec![n % 64 + 1, n / 64 + 1] } else { vec![n] };
    let elem = data_type.size().map(|s| s as u64);
    let repr = ChunkRepr { shape, data_type, fill_value: FillValue::Fixed(Vec::new()) };
    let fixed_cap = elem.map(|s| repr.num_elements() * s);
    match codec {
        Codec::BytesToBytes(c) => {
            let expected = (flags & 1 == 1).then_some(n);
            let cap = expected.unwrap_or(limits.max_decoded_chunk_bytes);
            if let Ok(out) = c.decode(rest.to_vec(), expected, &limits) {
                assert!(out.len() as u64 <= cap, "{} bytes out, cap {cap}", out.len());
            }
        }
        Codec::ArrayToBytes(c) => {
            if let Ok(ArrayBytes::Fixed(out)) = c.decode(rest.to_vec(), &repr, &limits) {
                assert_eq!(Some(out.len() as u64), fixed_cap);
            } else if let Ok(ArrayBytes::Variable(v)) = c.decode(rest.to_vec(), &repr, &limits) {
                assert_eq!(v.len() as u64, repr.num_elements());
            }
        }
        Codec::ArrayToArray(c) => {
            // In a pipeline an array→array codec gets exactly its encoded representation's
            // bytes (the array→bytes step checks the size): give it that many.
            let Ok(enc) = c.encoded_repr(&repr) else { return };
            let Some(size) = enc.data_type.size().map(|s| enc.num_elements() * s as u64) else { return };
            if size > limits.max_decoded_chunk_bytes {
                return;
            }
            let input: Vec<u8> = rest.iter().copied().cycle().chain(std::iter::repeat(0)).take(size as usize).collect();
            if let Ok(ArrayBytes::Fixed(out)) = c.decode(ArrayBytes::Fixed(input), &repr, &limits) {
                assert_eq!(Some(out.len() as u64), fixed_cap);
            }
        }
    }
});
