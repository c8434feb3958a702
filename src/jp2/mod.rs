//! JPEG 2000 (ISO/IEC 15444-1): the JP2 container, the J2K codestream main header,
//! the tile-part index (TLM, external index, SOT walk), tile decoding and georeferencing.
