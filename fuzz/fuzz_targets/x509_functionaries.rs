//! A classic layout's X.509 members (`rootcas`, `intermediatecas`,
//! `cert_constraints`) and a link's certificate, both from the input: read
//! and checked without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The layout's JSON, then the certificate's PEM after a NUL.
    let (layout, cert) = text.split_once('\0').unwrap_or((&text, ""));
    let Ok(signed) = serde_json::from_str::<serde_json::Value>(layout) else {
        return;
    };
    if let Ok(Some(policy)) = cairn_evidence::x509::CertPolicy::read(&signed) {
        for step in ["build", "write-code", ""] {
            let _ = policy.admit(step, cert, 1_700_000_000);
        }
    }
});
