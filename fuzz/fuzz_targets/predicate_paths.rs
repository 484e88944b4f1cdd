//! Any text as a predicate kept as text: the paths answered over the text
//! never panic, give ranges inside it, and the one-walk selection of several
//! paths agrees with each path selected alone.
#![no_main]

use cairn_eval::lazy;
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "$.components[*].licenses[*].license.id",
    "$.components[*]",
    "$.components[?(@.type == 'library')].name",
    "$.a.b[0]",
    "$.*",
    "$.metadata.component.name",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let together = lazy::select_many(PATHS, text);
    for (path, many) in PATHS.iter().zip(&together) {
        let alone = lazy::select(path, text);
        if let Some(ranges) = &alone {
            assert!(ranges
                .iter()
                .all(|r| r.end <= text.len() && r.start <= r.end));
        }
        if let (Some(a), Some(m)) = (&alone, many) {
            assert_eq!(a, m, "{path}");
        }
    }
});
