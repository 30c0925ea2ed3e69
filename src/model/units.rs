//! Units and exact-decimal helpers: the 730-hour month, GiB/KB conventions and money rounding.
//!
//! Money and billed quantities are `rust_decimal::Decimal`, rounded only when shown. Capacity
//! checks (fit, headroom) use `f64`: they compare against thresholds, never bill.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::str::FromStr;

/// Hours in a billing month (AWS calculator convention).
pub const HOURS_PER_MONTH: u32 = 730;
/// Seconds in a billing month: 730 × 3,600.
pub const SECONDS_PER_MONTH: u32 = HOURS_PER_MONTH * 3600;
/// Hours in a reserved-term year (AWS amortizes upfront fees over 8,760 hours a year).
pub const HOURS_PER_YEAR: u32 = 8760;
/// Bytes in a GiB: every `*_gb` value and node memory (AWS bills GiB).
pub const BYTES_PER_GIB: u64 = 1 << 30;
/// KB per GiB (KB is 1,024 bytes).
pub const KB_PER_GIB: u32 = 1 << 20;

/// `HOURS_PER_MONTH` as a decimal.
pub fn hours_per_month() -> Decimal {
    Decimal::from(HOURS_PER_MONTH)
}

/// Exact decimal of an `f64` as a person wrote it (its shortest round-trip representation),
/// so `0.1` becomes `0.1`, not `0.1000000000000000055…`. Returns `None` for NaN, infinities and
/// magnitudes beyond what a `Decimal` holds.
pub fn decimal_from_f64(value: f64) -> Option<Decimal> {
    if !value.is_finite() {
        return None;
    }
    let text = format!("{value}");
    Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text)).ok()
}

/// Lossy view of a decimal for capacity arithmetic.
pub fn to_f64(value: Decimal) -> f64 {
    value.to_f64().unwrap_or(f64::MAX)
}

/// A decimal in floating point within a few units in the last place (about 4e-16 of the value;
/// [`to_f64`] gives the nearest `f64`, through 128-bit division): for pre-selections and orders
/// that allow far more slack than that (the search's and the option order's, 1e-9), where the
/// conversion is made for every layout and every option.
pub fn rough_f64(value: Decimal) -> f64 {
    // powers of ten up to 1e22 are exact in f64; the rest are the nearest f64 (a scale is ≤ 28)
    const POW10: [f64; 29] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];
    let mantissa = value.mantissa();
    // most mantissas fit 64 bits, whose conversion is a machine instruction
    let whole = match i64::try_from(mantissa) {
        Ok(small) => small as f64,
        Err(_) => mantissa as f64,
    };
    whole / POW10[(value.scale() as usize).min(POW10.len() - 1)]
}

/// Money rounded to the cent, half away from zero, as shown to people.
pub fn cents(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// `$1,234.56` (cents, thousands separators).
pub fn format_usd(value: Decimal) -> String {
    let rounded = cents(value);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 2);
    if negative {
        out.push('-');
    }
    out.push('$');
    push_grouped(&mut out, int);
    out.push('.');
    out.push_str(frac);
    out
}

/// A quantity for people: thousands separators, at most `max_dp` decimals, trailing zeros cut.
pub fn format_quantity(value: Decimal, max_dp: u32) -> String {
    let rounded =
        value.round_dp_with_strategy(max_dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero).normalize();
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = rounded.abs().to_string();
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    if negative {
        out.push('-');
    }
    push_grouped(&mut out, int);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A unit price for people: `$0.1752`, `$3,015.63`; never rounds away significant digits below a cent.
pub fn format_unit_usd(value: Decimal) -> String {
    if value.abs() >= Decimal::ONE {
        let q = format_quantity(value, 4);
        return format!("${q}");
    }
    format!("${}", format_quantity(value, 12))
}

/// `int` (ASCII digits) with a comma between thousands, appended to `out`.
fn push_grouped(out: &mut String, int: &str) {
    let bytes = int.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && (bytes.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(char::from(*b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The rough value is within 1e-15 of the exact one's nearest `f64` (the slack its users
        /// allow is 1e-9), for every mantissa and scale a decimal can have.
        #[test]
        fn rough_f64_is_within_a_few_ulps_of_the_nearest_f64(
            lo in any::<u32>(), mid in any::<u32>(), hi in any::<u32>(), negative in any::<bool>(), scale in 0u32..=28,
        ) {
            let value = Decimal::from_parts(lo, mid, hi, negative, scale);
            let (rough, exact) = (rough_f64(value), to_f64(value));
            prop_assert!((rough - exact).abs() <= 1e-15 * exact.abs(), "{value}: {rough} vs {exact}");
            prop_assert_eq!(rough.is_sign_negative() && rough != 0.0, value.is_sign_negative() && !value.is_zero());
        }
    }

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn decimal_from_f64_keeps_what_was_written() {
        assert_eq!(decimal_from_f64(0.1), Some(dec("0.1")));
        assert_eq!(decimal_from_f64(2500.0), Some(dec("2500")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(f64::INFINITY), None);
        assert_eq!(decimal_from_f64(1e40), None);
        assert_eq!(decimal_from_f64(1e-7), Some(dec("0.0000001")));
    }

    #[test]
    fn money_is_rounded_half_away_from_zero_only_when_shown() {
        assert_eq!(format_usd(dec("83.7675")), "$83.77");
        assert_eq!(format_usd(dec("6.132")), "$6.13");
        assert_eq!(format_usd(dec("2596.61")), "$2,596.61");
        assert_eq!(format_usd(dec("1234567.005")), "$1,234,567.01");
        assert_eq!(format_usd(Decimal::ZERO), "$0.00");
        assert_eq!(format_usd(dec("-12.5")), "-$12.50");
    }

    #[test]
    fn quantities_and_unit_prices_read_well() {
        assert_eq!(format_quantity(dec("11680"), 2), "11,680");
        assert_eq!(format_quantity(dec("6570.000"), 2), "6,570");
        assert_eq!(format_quantity(dec("0.1234567"), 3), "0.123");
        assert_eq!(format_unit_usd(dec("0.11475")), "$0.11475");
        assert_eq!(format_unit_usd(dec("0.0000000034")), "$0.0000000034");
        assert_eq!(format_unit_usd(dec("3015.63")), "$3,015.63");
    }
}
