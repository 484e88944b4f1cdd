//! DSSE envelopes: PAE, base64, reading an envelope's fields, writing and signing one.
//!
//! The pre-authentication encoding uses byte lengths (the spec text), not
//! character counts. Base64 is accepted in the standard and the URL-safe
//! alphabets, padded, and nothing looser (no embedded newlines, no
//! non-canonical trailing bits), so every reader of the bytes agrees.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::keyfile::SigningKey;

/// The payload type of in-toto Statements and DSSE-wrapped classic metadata.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One signature of an envelope or metablock, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The `keyid` hint (`None` when absent or empty).
    pub keyid: Option<String>,
    /// The raw signature bytes.
    pub sig: Vec<u8>,
}

/// A DSSE envelope with its payload decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// `payloadType`.
    pub payload_type: String,
    /// The decoded payload bytes (exactly what was signed).
    pub payload: Vec<u8>,
    /// The signatures.
    pub signatures: Vec<Signature>,
}

impl Envelope {
    /// The bytes the signatures are over.
    pub fn pae(&self) -> Vec<u8> {
        pae(self.payload_type.as_bytes(), &self.payload)
    }

    /// The envelope as JSON (standard base64, `keyid` omitted when absent).
    pub fn to_json(&self) -> Value {
        let signatures: Vec<Value> = self
            .signatures
            .iter()
            .map(|s| {
                let mut m = Map::new();
                if let Some(keyid) = &s.keyid {
                    m.insert("keyid".into(), Value::String(keyid.clone()));
                }
                m.insert("sig".into(), Value::String(b64_encode(&s.sig)));
                Value::Object(m)
            })
            .collect();
        json!({
            "payload": b64_encode(&self.payload),
            "payloadType": self.payload_type,
            "signatures": signatures,
        })
    }

    /// The envelope as one line of compact JSON (no newline).
    pub fn to_line(&self) -> String {
        self.to_json().to_string()
    }
}

/// `PAE(type, body)` of DSSE v1, with byte lengths.
pub fn pae(payload_type: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = pae_header(payload_type, payload.len(), payload.len());
    out.extend_from_slice(payload);
    out
}

/// What `PAE(type, body)` writes before the body, for a body of
/// `payload_len` bytes, with room for `reserve` more bytes.
pub fn pae_header(payload_type: &[u8], payload_len: usize, reserve: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + 48 + reserve);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type);
    out.push(b' ');
    out.extend_from_slice(payload_len.to_string().as_bytes());
    out.push(b' ');
    out
}

/// Signs `payload` as a DSSE envelope with one signature by `key`.
pub fn sign_dsse(payload_type: &str, payload: &[u8], key: &SigningKey) -> Envelope {
    let sig = key.sign(&pae(payload_type.as_bytes(), payload));
    Envelope {
        payload_type: payload_type.to_owned(),
        payload: payload.to_vec(),
        signatures: vec![Signature {
            keyid: Some(key.keyid()),
            sig,
        }],
    }
}

/// Standard padded base64.
pub fn b64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes padded base64 in the standard or the URL-safe alphabet.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let (standard, url_safe) = (&base64_simd::STANDARD, &base64_simd::URL_SAFE);
    standard
        .decode_to_vec(text)
        .or_else(|_| url_safe.decode_to_vec(text))
        .ok()
}

/// Base64 text [`b64_check`] accepted, in the alphabet it is decoded in.
#[derive(Debug, Clone, Copy)]
pub struct CheckedBase64(&'static base64_simd::Base64);

/// Whether [`b64_decode`] accepts `text`, without decoding it (the
/// standard alphabet tried first, as there): what then decodes it where it
/// is ([`CheckedBase64::decode_in_place`]).
pub fn b64_check(text: &[u8]) -> Option<CheckedBase64> {
    [&base64_simd::STANDARD, &base64_simd::URL_SAFE]
        .into_iter()
        .find(|engine| engine.check(text).is_ok())
        .map(CheckedBase64)
}

impl CheckedBase64 {
    /// Decodes the text that was checked where it is, as [`b64_decode`]
    /// would: the decoded bytes are the start of `text`. Given the checked
    /// text it cannot fail; given other text it may give `None` with the
    /// text half decoded.
    pub fn decode_in_place(self, text: &mut [u8]) -> Option<&mut [u8]> {
        self.0.decode_inplace(text).ok()
    }
}

/// The exact decoded size of padded base64 text, to check limits before decoding.
pub fn b64_decoded_len(text: &str) -> usize {
    text.len() / 4 * 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_counts_bytes_not_characters() {
        assert_eq!(pae("é".as_bytes(), b""), "DSSEv1 2 é 0 ".as_bytes());
        assert_eq!(pae(b"", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn pae_header_then_body_is_the_pae() {
        for (t, body) in [("", ""), ("é", "x"), (INTOTO_PAYLOAD_TYPE, "{\"a\":1}")] {
            let mut joined = pae_header(t.as_bytes(), body.len(), 0);
            joined.extend_from_slice(body.as_bytes());
            assert_eq!(joined, pae(t.as_bytes(), body.as_bytes()));
        }
    }

    #[test]
    fn base64_both_alphabets_padded_only() {
        assert_eq!(b64_decode("-_8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(b64_decode("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert!(b64_decode("+/8").is_none());
        assert!(b64_decode("aGVs\nbG8=").is_none());
        assert!(b64_decode("aGVsbG9=").is_none());
        assert_eq!(b64_decode("").unwrap(), Vec::<u8>::new());
    }

    /// The decoder agrees with the `base64` crate's padded decoders (the
    /// standard alphabet, then the URL-safe one) on every string of up to
    /// five bytes of an alphabet that mixes both, padding and whitespace,
    /// and on mutated encodings of random bytes; in place too.
    #[test]
    fn base64_decoders_agree_with_the_reference() {
        let reference = |text: &[u8]| {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
                .ok()
        };
        let check = |text: &[u8]| {
            let expected = reference(text);
            let as_str = std::str::from_utf8(text).unwrap();
            assert_eq!(b64_decode(as_str), expected, "{as_str:?}");
            let checked = b64_check(text);
            assert_eq!(checked.is_some(), expected.is_some(), "{as_str:?}");
            let mut buffer = text.to_vec();
            let in_place = checked.and_then(|c| c.decode_in_place(&mut buffer).map(|d| d.to_vec()));
            assert_eq!(in_place, expected, "{as_str:?}");
        };
        let alphabet = b"AQgw/+-_= \n";
        for len in 0..=5u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut text = Vec::new();
                for _ in 0..len {
                    text.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                check(&text);
            }
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for round in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let data: Vec<u8> = (0..seed % 300).map(|k| (seed >> (k % 56)) as u8).collect();
            let mut text = match round % 2 {
                0 => base64::engine::general_purpose::STANDARD.encode(&data),
                _ => base64::engine::general_purpose::URL_SAFE.encode(&data),
            }
            .into_bytes();
            if round % 3 == 0 && !text.is_empty() {
                let at = (seed >> 20) as usize % text.len();
                text[at] = alphabet[(seed >> 40) as usize % alphabet.len()];
            }
            check(&text);
        }
    }

    #[test]
    fn sign_and_serialise() {
        let key = SigningKey::generate_ed25519();
        let env = sign_dsse(INTOTO_PAYLOAD_TYPE, b"{}", &key);
        let json = env.to_json();
        assert_eq!(json["payload"], "e30=");
        assert_eq!(json["signatures"][0]["keyid"], key.keyid());
        let public =
            crate::keyfile::TrustedKey::new(key.public(), crate::scheme::Scheme::Ed25519, "k");
        let sig = &env.signatures[0].sig;
        crate::scheme::verify(&public.key, public.scheme, &env.pae(), sig).unwrap();
    }
}
