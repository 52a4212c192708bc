//! Fixed-point text of the report's scores (a helper of the report and of the `reason` column):
//! an `f32` in, the same text as `format!("{v:.N}")` out, without the formatter's exact
//! float-to-decimal algorithm, which cost a few percent of a scan with a row per furniture span.

use std::fmt::Write;

/// Appends `v` with `decimals` digits after the point, exactly as `{v:.decimals$}` writes it.
///
/// An `f32` times 10^decimals is exact in an `f64` (24 + 4 × decimals bits), so rounding that
/// product to the nearest integer is the correctly rounded decimal. Exact ties (a fraction of
/// one half), negative numbers, large values and non-finite ones go to the formatter.
pub fn push_fixed(out: &mut String, v: f32, decimals: usize) {
    let scale = 10u64.pow(decimals.min(7) as u32);
    let x = f64::from(v) * scale as f64;
    if decimals > 7 || !v.is_sign_positive() || !v.is_finite() || x >= 1e15 || x.fract() == 0.5 {
        let _ = write!(out, "{v:.decimals$}");
        return;
    }
    let n = x.round() as u64;
    let mut int = itoa::Buffer::new();
    out.push_str(int.format(n / scale));
    if decimals > 0 {
        out.push('.');
        let frac = n % scale;
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(frac);
        out.extend(std::iter::repeat_n('0', decimals - digits.len()));
        out.push_str(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixed(v: f32, decimals: usize) -> String {
        let mut s = String::new();
        push_fixed(&mut s, v, decimals);
        s
    }

    #[test]
    fn writes_what_the_formatter_writes() {
        for v in [
            0.0, 1.0, 0.5, 0.0005, 0.0625, 0.9995, 0.125, 123.456, 1e20, -0.0, -0.25,
        ] {
            for d in 0..=4 {
                assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v} {d}");
            }
        }
        assert_eq!(fixed(f32::NAN, 3), "NaN");
        assert_eq!(fixed(f32::INFINITY, 2), "inf");
    }

    #[test]
    fn every_thousandth_f32_of_the_unit_interval() {
        let one = 1.0f32.to_bits();
        for bits in (0..=one).step_by(997) {
            let v = f32::from_bits(bits);
            assert_eq!(fixed(v, 3), format!("{v:.3}"), "{v:e}");
            assert_eq!(fixed(v, 2), format!("{v:.2}"), "{v:e}");
        }
    }

    proptest! {
        #[test]
        fn any_f32(bits in any::<u32>(), d in 0usize..6) {
            let v = f32::from_bits(bits);
            prop_assert_eq!(fixed(v, d), format!("{v:.d$}"));
        }
    }
}
