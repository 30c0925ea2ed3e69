//! Exact decimals as JSON numbers, written straight from their digits: what `rust_decimal`'s own
//! serializer writes (its `Display` text as a `serde_json` number), without formatting through
//! `fmt` and parsing the text back. For the fields a report repeats most (line items, options).

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// 10^19: the largest power of ten below 2^64.
const TEN_TO_19: u128 = 10_000_000_000_000_000_000;

/// The text of `value` as `Decimal`'s `Display` writes it: a `-` when the sign is negative
/// (also on a negative zero), the digits of the mantissa, and `scale` digits after a point.
#[must_use]
pub fn text(value: &Decimal) -> String {
    let scale = value.scale() as usize;
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mantissa = value.mantissa().unsigned_abs();
    // the digits, last first; none for a zero mantissa. Written 64 bits at a time, whose
    // division is a machine instruction (128-bit division is a library call): a mantissa above
    // 64 bits is cut once into its last 19 digits and the rest (at most 10 digits)
    match u64::try_from(mantissa) {
        Ok(small) => write_digits(&mut digits, &mut at, small),
        Err(_) => {
            // below 10^19 and below 2^96 / 10^19 < 10^10: both fit 64 bits
            let (high, low) = ((mantissa / TEN_TO_19) as u64, (mantissa % TEN_TO_19) as u64);
            let end = at;
            write_digits(&mut digits, &mut at, low);
            // the low part's leading zeros, then the high part (not zero: the mantissa is
            // above 64 bits)
            while end - at < 19 {
                at -= 1;
                digits[at] = b'0';
            }
            write_digits(&mut digits, &mut at, high);
        }
    }
    let mut written = &digits[at..];
    // a mantissa of 96 bits has at most 29 digits and the scale is at most 28: room for the zeros
    while written.len() < scale {
        at -= 1;
        digits[at] = b'0';
        written = &digits[at..];
    }
    let whole = written.len() - scale;
    // the digits are ASCII: whole slices go in at once, not a character at a time
    let mut out = String::with_capacity(written.len() + 3);
    if value.is_sign_negative() {
        out.push('-');
    }
    if whole == 0 {
        out.push('0');
    } else {
        out.push_str(ascii(&written[..whole]));
    }
    if scale > 0 {
        out.push('.');
        out.push_str(ascii(&written[whole..]));
    }
    out
}

/// The decimal digits of `small` into `digits` before `at`, last first (none for zero); `at`
/// moves to the first.
fn write_digits(digits: &mut [u8], at: &mut usize, mut small: u64) {
    while small != 0 {
        *at -= 1;
        // below 10
        digits[*at] = b'0' + (small % 10) as u8;
        small /= 10;
    }
}

/// Digits as text (they are ASCII: never empty for want of validity).
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// `#[serde(serialize_with = "json_decimal::number")]`: `value` as a JSON number, exactly.
pub fn number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    // a whole number of 64 bits, not negative (a negative zero is written `-0`): the same digits
    // written as an integer, with no text made first
    if value.scale() == 0
        && !value.is_sign_negative()
        && let Ok(whole) = u64::try_from(value.mantissa())
    {
        return serializer.serialize_u64(whole);
    }
    serde_json::Number::from_string_unchecked(text(value)).serialize(serializer)
}

/// [`number`] for an optional decimal (`null` when absent).
#[allow(clippy::ref_option)] // serde hands `serialize_with` a reference to the field
pub fn optional<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => number(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn json_of(value: &Decimal) -> (String, String) {
        #[derive(Serialize)]
        struct Ours<'a>(#[serde(serialize_with = "number")] &'a Decimal);
        (serde_json::to_string(&Ours(value)).unwrap(), serde_json::to_string(value).unwrap())
    }

    #[test]
    fn the_text_is_what_display_writes() {
        let cases = [
            "0",
            "0.00",
            "-0",
            "-0.000",
            "1",
            "-1",
            "0.5",
            "-0.005",
            "28.032",
            "2190",
            "0.0128",
            "10.000000",
            "0.0000000000000000000000000001",
            "-0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.7922816251426433759354395033",
            // just above 64 bits: the last 19 digits, zeros among them, then the rest
            "18446744073709551616",
            "10000000000000000000",
            "100000000000000000000",
            "1000000000000000000000.0000001",
            "0.00000000000000000000000001",
        ];
        for case in cases {
            let d = Decimal::from_str(case).unwrap();
            assert_eq!(text(&d), d.to_string(), "{case}");
            assert_eq!(text(&-d), (-d).to_string(), "-({case})");
            let (ours, theirs) = json_of(&d);
            assert_eq!(ours, theirs, "{case}");
        }
        // a negative zero from arithmetic keeps its sign, as Display shows it
        let negative_zero = Decimal::from_str("-1.50").unwrap() + Decimal::from_str("1.50").unwrap();
        assert_eq!(text(&negative_zero), negative_zero.to_string());
        let mut zero = Decimal::ZERO;
        zero.set_sign_negative(true);
        assert_eq!(text(&zero), zero.to_string());
    }

    #[test]
    fn an_absent_decimal_is_null() {
        #[derive(Serialize)]
        struct Ours(#[serde(serialize_with = "optional")] Option<Decimal>);
        assert_eq!(serde_json::to_string(&Ours(None)).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Ours(Some(Decimal::new(-1205, 3)))).unwrap(), "-1.205");
    }

    proptest! {
        #[test]
        fn any_decimal_is_written_as_rust_decimal_writes_it(lo: u32, mid: u32, hi: u32, negative: bool, scale in 0u32..=28) {
            let d = Decimal::from_parts(lo, mid, hi, negative, scale);
            prop_assert_eq!(text(&d), d.to_string());
            let (ours, theirs) = json_of(&d);
            prop_assert_eq!(ours, theirs);
        }

        #[test]
        fn any_decimal_of_64_bits_is_written_as_rust_decimal_writes_it(m: u64, negative: bool, scale in 0u32..=28) {
            let d = Decimal::from_i128_with_scale(if negative { -i128::from(m) } else { i128::from(m) }, scale);
            prop_assert_eq!(text(&d), d.to_string());
            let (ours, theirs) = json_of(&d);
            prop_assert_eq!(ours, theirs);
        }

        /// Whole numbers take the integer path: the same text.
        #[test]
        fn any_whole_decimal_is_written_as_rust_decimal_writes_it(m: u64, negative: bool) {
            let d = Decimal::from_i128_with_scale(if negative { -i128::from(m) } else { i128::from(m) }, 0);
            let (ours, theirs) = json_of(&d);
            prop_assert_eq!(ours, theirs);
        }
    }
}
