//! Exact decimals as JSON numbers, written straight from their digits: what `rust_decimal`'s own
//! serializer writes (its `Display` text as a `serde_json` number), without formatting through
//! `fmt` and parsing the text back. For the fields a report repeats most (line items, options).

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

/// The text of `value` as `Decimal`'s `Display` writes it: a `-` when the sign is negative
/// (also on a negative zero), the digits of the mantissa, and `scale` digits after a point.
#[must_use]
pub fn text(value: &Decimal) -> String {
    let scale = value.scale() as usize;
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mantissa = value.mantissa().unsigned_abs();
    // the digits, last first; none for a zero mantissa. Most mantissas fit 64 bits, whose
    // division is a machine instruction (128-bit division is a library call)
    match u64::try_from(mantissa) {
        Ok(mut small) => {
            while small != 0 {
                at -= 1;
                // below 10
                digits[at] = b'0' + (small % 10) as u8;
                small /= 10;
            }
        }
        Err(_) => {
            let mut large = mantissa;
            while large != 0 {
                at -= 1;
                // below 10
                digits[at] = b'0' + (large % 10) as u8;
                large /= 10;
            }
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
    let mut out = String::with_capacity(written.len() + 3);
    if value.is_sign_negative() {
        out.push('-');
    }
    if whole == 0 {
        out.push('0');
    } else {
        out.extend(written[..whole].iter().map(|&b| char::from(b)));
    }
    if scale > 0 {
        out.push('.');
        out.extend(written[whole..].iter().map(|&b| char::from(b)));
    }
    out
}

/// `#[serde(serialize_with = "json_decimal::number")]`: `value` as a JSON number, exactly.
pub fn number<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
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
        }
    }
}
