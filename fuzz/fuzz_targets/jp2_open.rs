//! Opening a JP2/J2K file from an in-memory range source under small limits: the box
//! walk (ftyp, jp2h/ihdr/colr/pclr/cmap, uuid, xml, jp2c), the main header, the
//! tile-part index from TLM or, without one, the SOT walk, the georeferencing boxes, and
//! every tile's recipe (its byte ranges must lie inside the file). Input: the file.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rangetile_fuzz::jp2_open(data));
