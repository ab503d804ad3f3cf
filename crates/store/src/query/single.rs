//! A `float` field's bounds. Elasticsearch keeps a `float` at single precision and cuts a
//! query's bounds to it too, so `term: 0.1` finds every value whose single-precision
//! number is 0.1's. The store keeps such values cut (older data directories may hold
//! them whole), so a bound here becomes the range of doubles that cut to what
//! Elasticsearch compares: the same matches either way.

use std::ops::Bound;

use super::term::Number;
use super::Context;
use crate::mapping::FieldKind;

/// A number field's bounds as the field's values are compared to them: a `float`'s cut to
/// single precision, others as given.
pub(super) fn as_compared(
    ctx: &Context<'_>,
    path: &str,
    kind: FieldKind,
    lower: Bound<Number>,
    upper: Bound<Number>,
) -> (Bound<Number>, Bound<Number>) {
    match kind == FieldKind::Float && !ctx.limits.full_precision(path) {
        true => single_precision(lower, upper),
        false => (lower, upper),
    }
}

/// `lower..upper` as Elasticsearch compares a `float` field's values to them.
fn single_precision(lower: Bound<Number>, upper: Bound<Number>) -> (Bound<Number>, Bound<Number>) {
    let lower = match lower {
        Bound::Unbounded => Bound::Unbounded,
        Bound::Included(n) => lowest_cutting_to(cut(n)),
        Bound::Excluded(n) => lowest_cutting_to(cut(n).next_up()),
    };
    let upper = match upper {
        Bound::Unbounded => Bound::Unbounded,
        Bound::Included(n) => highest_cutting_to(cut(n)),
        Bound::Excluded(n) => highest_cutting_to(cut(n).next_down()),
    };
    (lower, upper)
}

/// Java's `(float)`: to the nearest single, halfway to the even one.
fn cut(n: Number) -> f32 {
    match n {
        Number::Int(n) => n as f32,
        Number::Float(f) => f as f32,
    }
}

/// A tie between two singles goes to the one whose last bit is 0.
fn even(single: f32) -> bool {
    single.to_bits() & 1 == 0
}

/// The smallest double that cuts to `single` or above.
fn lowest_cutting_to(single: f32) -> Bound<Number> {
    if !single.is_finite() {
        return Bound::Included(Number::Float(f64::from(single)));
    }
    let below = f64::from(single.next_down());
    let halfway = Number::Float((below + f64::from(single)) / 2.0);
    match even(single) {
        true => Bound::Included(halfway),
        false => Bound::Excluded(halfway),
    }
}

/// The largest double that cuts to `single` or below.
fn highest_cutting_to(single: f32) -> Bound<Number> {
    if !single.is_finite() {
        return Bound::Included(Number::Float(f64::from(single)));
    }
    let above = f64::from(single.next_up());
    let halfway = Number::Float((f64::from(single) + above) / 2.0);
    match even(single) {
        true => Bound::Included(halfway),
        false => Bound::Excluded(halfway),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `value` lies within the bounds.
    fn within(value: f64, (lower, upper): (Bound<Number>, Bound<Number>)) -> bool {
        let number = |n: Number| match n {
            Number::Int(n) => n as f64,
            Number::Float(f) => f,
        };
        let above = match lower {
            Bound::Unbounded => true,
            Bound::Included(n) => value >= number(n),
            Bound::Excluded(n) => value > number(n),
        };
        let below = match upper {
            Bound::Unbounded => true,
            Bound::Included(n) => value <= number(n),
            Bound::Excluded(n) => value < number(n),
        };
        above && below
    }

    fn exactly(f: f64) -> (Bound<Number>, Bound<Number>) {
        let n = Number::Float(f);
        single_precision(Bound::Included(n), Bound::Included(n))
    }

    #[test]
    fn a_term_finds_every_double_that_cuts_to_its_single() {
        let bounds = exactly(38.581);
        assert!(within(38.581, bounds));
        assert!(within(38.580_999_999_999_996, bounds));
        assert!(within(f64::from(38.581_f32), bounds));
        assert!(!within(f64::from(38.581_f32.next_up()), bounds));
        assert!(!within(f64::from(38.581_f32.next_down()), bounds));
        assert!(!within(38.582, bounds));
    }

    #[test]
    fn ranges_compare_singles_as_elasticsearch_does() {
        let gt = single_precision(Bound::Excluded(Number::Float(0.0051)), Bound::Unbounded);
        // 0.0051 cuts to the single of 0.0051: not above it
        assert!(!within(0.0051, gt));
        assert!(!within(f64::from(0.0051_f32), gt));
        assert!(within(f64::from(0.0051_f32.next_up()), gt));
        let lt = single_precision(Bound::Unbounded, Bound::Excluded(Number::Int(5)));
        assert!(!within(4.999_999_999, lt));
        assert!(within(f64::from(5.0_f32.next_down()), lt));
    }

    #[test]
    fn halfway_doubles_go_where_the_cut_sends_them() {
        for single in [1.0_f32, 1.0_f32.next_up(), -3.5, 0.0051] {
            let halfway = (f64::from(single) + f64::from(single.next_up())) / 2.0;
            let cut_to = halfway as f32;
            assert!(within(halfway, exactly(f64::from(cut_to))), "{single}");
            let other = if cut_to == single {
                single.next_up()
            } else {
                single
            };
            assert!(!within(halfway, exactly(f64::from(other))), "{single}");
        }
    }
}
