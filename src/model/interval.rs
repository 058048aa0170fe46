//! Exact 90 % intervals for counts (Poisson, Garwood) and proportions (binomial,
//! Clopper–Pearson), from the quantiles of the gamma and beta distributions.
//!
//! Why exact intervals and not `rate ± 1.645·√rate`: the normal approximation breaks exactly
//! where the control room needs it most — in the first seconds and on slow hubs, with a handful
//! of events (0 events gives a zero-width interval at 0). Why our own quantiles and not a crate:
//! the three functions below (log-gamma, the regularised incomplete gamma and beta functions)
//! are textbook (Numerical Recipes §6.1–6.4), ~150 lines, and keep the pure core free of a
//! statistics dependency for two numbers; they are checked against published chi-square table
//! values in the tests.

use std::sync::OnceLock;

/// Probability in each tail of the two-sided 90 % intervals.
pub const TAIL: f64 = 0.05;

/// A count of events observed over some exposure: the 90 % interval of its mean (Garwood):
/// `[Γ⁻¹(0.05; k, 1), Γ⁻¹(0.95; k + 1, 1)]`, the lower end 0 when `k = 0`.
///
/// Each end is a bisection over the incomplete gamma function (tens of microseconds), and the
/// rules and the screen ask for thousands of rates a second; the answer depends on the count
/// alone, so counts below [`CACHED_COUNTS`] are worked out once per process and kept.
#[must_use]
pub fn poisson_interval(events: u64) -> (f64, f64) {
    match usize::try_from(events) {
        Ok(index) if index < CACHED_COUNTS => {
            *POISSON_BY_COUNT[index].get_or_init(|| garwood(events))
        }
        _ => garwood(events),
    }
}

/// Counts whose Poisson interval is kept once worked out: a rate window holds up to five
/// minutes of a counter, and every counter of the large state (27 sessions a second at the
/// busiest) stays below this. 24 bytes a count, 384 KiB in all, filled only where used.
pub const CACHED_COUNTS: usize = 1 << 14;

/// The Garwood interval of every count below [`CACHED_COUNTS`], each worked out on first use.
static POISSON_BY_COUNT: [OnceLock<(f64, f64)>; CACHED_COUNTS] =
    [const { OnceLock::new() }; CACHED_COUNTS];

/// The Garwood interval of `events`, worked out.
fn garwood(events: u64) -> (f64, f64) {
    // Precision loss only beyond 2^53 events.
    let k = events as f64;
    let low = if events == 0 {
        0.0
    } else {
        gamma_quantile(TAIL, k)
    };
    (low, gamma_quantile(1.0 - TAIL, k + 1.0))
}

/// `successes` out of `trials`: the 90 % interval of the proportion (Clopper–Pearson), as
/// fractions in `[0, 1]`; `None` for 0 trials.
#[must_use]
pub fn binomial_interval(successes: u64, trials: u64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    let x = successes.min(trials);
    let (xf, nf) = (x as f64, trials as f64);
    let low = if x == 0 {
        0.0
    } else {
        beta_quantile(TAIL, xf, nf - xf + 1.0)
    };
    let high = if x == trials {
        1.0
    } else {
        beta_quantile(1.0 - TAIL, xf + 1.0, nf - xf)
    };
    Some((low, high))
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error below 1e-15).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        let i = i as f64;
        sum += c / (x + i);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Regularised lower incomplete gamma P(a, x), a > 0, x ≥ 0: series below a + 1, continued
/// fraction above (each converges fast on its side).
#[allow(clippy::many_single_char_names)] // the letters of the textbook formula, kept to check against it
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum.ln() + ln_front).exp().min(1.0)
    } else {
        // Lentz's method for the continued fraction of Q(a, x).
        let mut lentz = Lentz::start(1.0 / Lentz::TINY, x + 1.0 - a);
        let mut h = lentz.d;
        let mut b = x + 1.0 - a;
        for i in 1..10_000 {
            let i = f64::from(i);
            b += 2.0;
            let delta = lentz.step(-i * (i - a), b);
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - (ln_front.exp() * h)).max(0.0)
    }
}

/// Regularised incomplete beta `I_x(a, b)`, by its continued fraction (on the side where it
/// converges).
fn beta_i(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(1.0 - x, b, a) / b
    }
}

/// The continued fraction of `I_x(a, b)` (Numerical Recipes §6.4), each term an even step
/// and an odd step of the same recurrence.
#[allow(clippy::many_single_char_names)] // the letters of the textbook formula, kept to check against it
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut lentz = Lentz::start(1.0, 1.0 - qab * x / qap);
    let mut h = lentz.d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz.step(m * (b - m) * x / ((qam + m2) * (a + m2)), 1.0);
        let delta = lentz.step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1.0);
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The modified Lentz recurrence (Numerical Recipes §5.2) for evaluating a continued fraction
/// term by term: each [`Lentz::step`] takes the next partial numerator and denominator
/// `(a, b)` and returns the factor the running value is multiplied by.
struct Lentz {
    c: f64,
    d: f64,
}

impl Lentz {
    /// Keeps a denominator from being exactly zero (the method's own guard).
    const TINY: f64 = 1e-300;

    /// Starts with `c` and `d = 1 / first_denominator`; the running value starts at `d`.
    fn start(c: f64, first_denominator: f64) -> Self {
        Self {
            c,
            d: 1.0 / Self::nonzero(first_denominator),
        }
    }

    fn step(&mut self, a: f64, b: f64) -> f64 {
        self.d = 1.0 / Self::nonzero(b + a * self.d);
        self.c = Self::nonzero(b + a / self.c);
        self.d * self.c
    }

    fn nonzero(x: f64) -> f64 {
        if x.abs() < Self::TINY { Self::TINY } else { x }
    }
}

/// The x with `cdf(x) = p` for an increasing `cdf` on `[lo, hi]`, by bisection: slow but
/// unconditionally convergent, and 200 halvings reach f64 resolution on any bracket here.
fn invert(p: f64, mut lo: f64, mut hi: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Quantile of Gamma(shape `a`, scale 1). The bracket starts around the Wilson–Hilferty guess,
/// widened until it holds the answer, so a large count needs few halvings.
fn gamma_quantile(p: f64, a: f64) -> f64 {
    let z = if p < 0.5 {
        -1.644_853_626_951_472_2
    } else {
        1.644_853_626_951_472_2
    };
    let guess = (a * (1.0 - 1.0 / (9.0 * a) + z / (3.0 * a.sqrt())).powi(3)).max(1e-3);
    if a > 1e6 {
        // Wilson–Hilferty is exact to ~1e-7 relative here, and the series would need ~√a terms.
        return guess;
    }
    let (mut lo, mut hi) = (guess * 0.5, guess * 2.0 + 1.0);
    while gamma_p(a, lo) > p && lo > 1e-300 {
        lo *= 0.1;
    }
    while gamma_p(a, hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    invert(p, lo, hi, |x| gamma_p(a, x))
}

/// Quantile of Beta(`a`, `b`).
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    invert(p, 0.0, 1.0, |x| beta_i(x, a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    #[test]
    fn poisson_intervals_match_chi_square_tables() {
        // Garwood: [χ²(0.05; 2k)/2, χ²(0.95; 2k+2)/2]. Table values: χ²(0.95; 2) = 5.9915,
        // χ²(0.05; 16) = 7.9616, χ²(0.95; 18) = 28.8693, χ²(0.05; 2) = 0.1026,
        // χ²(0.95; 4) = 9.4877.
        let cases: &[(u64, f64, f64)] = &[
            (0, 0.0, 2.995_7),
            (1, 0.051_3, 4.743_9),
            (8, 3.980_8, 14.434_7),
        ];
        for &(k, low, high) in cases {
            let (l, h) = poisson_interval(k);
            assert!(near(l, low, 1e-3) && near(h, high, 1e-3), "{k}: {l} {h}");
        }
        // 600 events: Wilson–Hilferty (exact to ~1e-3 relative at this size) gives
        // 600·(1 − 1/5400 − 1.6449/(3·√600))³ = 560.28 and 601·(1 − 1/5409 + 1.6449/(3·√601))³
        // = 641.88.
        let (l, h) = poisson_interval(600);
        assert!(near(l, 560.28, 0.3) && near(h, 641.88, 0.3), "{l} {h}");
    }

    #[test]
    fn binomial_intervals_match_hand_values() {
        // 0 of 10: upper = 1 − 0.05^(1/10) = 0.2589; 10 of 10: lower = 0.05^(1/10) = 0.7411.
        let (l, h) = binomial_interval(0, 10).expect("trials");
        assert!(near(l, 0.0, 1e-12) && near(h, 0.258_9, 1e-4), "{l} {h}");
        let (l, h) = binomial_interval(10, 10).expect("trials");
        assert!(near(l, 0.741_1, 1e-4) && near(h, 1.0, 1e-12), "{l} {h}");
        // 1 of 2: lower = 1 − √0.95 = 0.0253, upper = √0.95 = 0.9747.
        let (l, h) = binomial_interval(1, 2).expect("trials");
        assert!(near(l, 0.025_3, 1e-4) && near(h, 0.974_7, 1e-4), "{l} {h}");
        assert_eq!(binomial_interval(0, 0), None);
        // more successes than trials (a counter reset between reads): capped, not NaN
        let (l, h) = binomial_interval(12, 10).expect("trials");
        assert!(l.is_finite() && near(h, 1.0, 1e-12));
    }

    #[test]
    fn kept_intervals_are_the_worked_out_ones() {
        for k in [
            0,
            1,
            8,
            600,
            CACHED_COUNTS as u64 - 1,
            CACHED_COUNTS as u64,
            20_000,
        ] {
            let worked_out = garwood(k);
            // The first call may fill the table, the second reads it: both the same bits.
            for _ in 0..2 {
                let (l, h) = poisson_interval(k);
                assert_eq!(
                    (l.to_bits(), h.to_bits()),
                    (worked_out.0.to_bits(), worked_out.1.to_bits()),
                    "{k}"
                );
            }
        }
    }

    #[test]
    fn huge_counts_stay_finite() {
        let (l, h) = poisson_interval(u64::MAX / 4);
        assert!(l.is_finite() && h.is_finite() && l <= h, "{l} {h}");
        let (l, h) = binomial_interval(1_000_000, 10_000_000).expect("trials");
        assert!(l < 0.1 && 0.1 < h && h - l < 0.001, "{l} {h}");
    }
}
