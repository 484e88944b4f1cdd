//! Any bytes through cairn's JSON roads: the hand-written strict reader,
//! the same reading through serde_json's `Deserializer` with a seed that
//! refuses repeated keys, the hand-written fast road (borrowed values and
//! `Scanner::skip_value`) and plain `serde_json`. They accept the same
//! inputs with the same values and refuse the rest alike; plain serde_json
//! differs only as `cairn_json::serde_road::compare` documents. The
//! first byte sets the depth limit (1 to 256, past serde_json's own 128).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&depth, bytes)) = data.split_first() else {
        return;
    };
    let max_depth = usize::from(depth) + 1;
    if let Err(e) = cairn_json::serde_road::compare(bytes, max_depth) {
        panic!("{e}");
    }
});
