//! Eight bytes at a time: the string scanners (`json`, `canonical`,
//! `names`) test a `u64` of input bytes, the first byte lowest, for bytes of
//! a value or below a bound with one subtraction, instead of one branch a
//! byte.

/// `0x01` in every byte.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
pub const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The eight bytes of `chunk` (of eight, from `chunks_exact(8)`) as a `u64`.
#[inline]
pub fn word(chunk: &[u8]) -> Option<u64> {
    <[u8; 8]>::try_from(chunk).ok().map(u64::from_le_bytes)
}

/// The high bit of the bytes of `v` below `bound` (at most `0x80`): exact
/// from the lowest byte up to the first such byte (a borrow only starts at
/// one), so "is there one" and "which is the first" are exact; above the
/// first, more may be flagged.
#[inline]
pub fn below(v: u64, bound: u8) -> u64 {
    v.wrapping_sub(ONES * u64::from(bound)) & !v & HIGH
}

/// The high bit of the bytes of `v` equal to `c`, exact as [`below`] is.
#[inline]
pub fn first_equal(v: u64, c: u8) -> u64 {
    below(v ^ (ONES * u64::from(c)), 1)
}

/// The high bit of every byte of `v` equal to `c`, and no other bit: no
/// carry crosses from one byte to the next (`0x7f + 0x7f` fits in a byte).
#[inline]
pub fn equal(v: u64, c: u8) -> u64 {
    let t = v ^ (ONES * u64::from(c));
    !(((t & LOW7) + LOW7) | t) & HIGH
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each test against a byte-wise check, for every byte value at every
    /// place, next to bytes that would set off a borrow or carry.
    #[test]
    fn tests_agree_with_byte_wise_checks() {
        for fill in [0x00u8, 0x1f, 0x20, 0x22, 0x5c, 0x7f, 0x80, 0xff] {
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut bytes = [fill; 8];
                    bytes[at] = b;
                    let v = word(&bytes).unwrap();
                    let first = |flags: u64| (flags != 0).then(|| flags.trailing_zeros() / 8);
                    let first_where =
                        |f: &dyn Fn(u8) -> bool| bytes.iter().position(|&x| f(x)).map(|p| p as u32);
                    assert_eq!(first(below(v, 0x20)), first_where(&|x| x < 0x20));
                    assert_eq!(first(first_equal(v, b'"')), first_where(&|x| x == b'"'));
                    let all: Vec<bool> = bytes.iter().map(|&x| x == b'/').collect();
                    let flags = equal(v, b'/');
                    let got: Vec<bool> = (0..8).map(|i| flags >> (i * 8 + 7) & 1 == 1).collect();
                    assert_eq!(got, all);
                    assert_eq!(flags & !HIGH, 0);
                }
            }
        }
    }
}
