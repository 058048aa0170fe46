//! Rate curves and the reproducible wobble laid over them.

use crate::sim::scenario::RatePoint;

/// Events per minute at sim second `t`: linear between points, flat before the first and after
/// the last.
pub(crate) fn rate_at(points: &[RatePoint], t: i64) -> f64 {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return 0.0;
    };
    if t <= first.at.secs() {
        return first.per_min;
    }
    if t >= last.at.secs() {
        return last.per_min;
    }
    let after = points.partition_point(|p| p.at.secs() <= t);
    let (a, b) = (&points[after - 1], &points[after]);
    let span = (b.at.secs() - a.at.secs()) as f64;
    let along = (t - a.at.secs()) as f64 / span;
    a.per_min + (b.per_min - a.per_min) * along
}

/// A multiplier in `1 ± noise` that depends only on the seed, the entity and the second, so a
/// run is reproducible however the clock is sampled.
pub(crate) fn wobble(seed: u64, salt: u64, t: i64, noise: f64) -> f64 {
    if noise == 0.0 {
        return 1.0;
    }
    let unit = unit_interval(seed ^ salt.rotate_left(32) ^ (t as u64));
    1.0 + noise * (2.0 * unit - 1.0)
}

/// A number in `[0, 1)` from a 64-bit input (`SplitMix64` finaliser).
pub(crate) fn unit_interval(input: u64) -> f64 {
    let mut z = input.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Units in order (or sale) number `seq` so that they average `per_order` units, each at least 1.
pub(crate) fn units_of(seq: u64, per_order: f64) -> u64 {
    let before = (seq as f64 * per_order).floor();
    let after = ((seq + 1) as f64 * per_order).floor();
    ((after - before) as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::Offset;

    fn point(at: i64, per_min: f64) -> RatePoint {
        RatePoint {
            at: Offset(at),
            per_min,
        }
    }

    #[test]
    fn rate_is_linear_between_points_and_flat_outside() {
        let curve = [point(0, 60.0), point(100, 160.0), point(200, 0.0)];
        for (t, want) in [
            (-50, 60.0),
            (0, 60.0),
            (50, 110.0),
            (100, 160.0),
            (150, 80.0),
            (500, 0.0),
        ] {
            assert!((rate_at(&curve, t) - want).abs() < 1e-9, "t={t}");
        }
        assert!(rate_at(&[], 5).abs() < f64::EPSILON);
    }

    #[test]
    fn wobble_stays_in_band_and_repeats() {
        for t in 0..1000 {
            let w = wobble(7, 3, t, 0.1);
            assert!((0.9..=1.1).contains(&w));
            assert!((w - wobble(7, 3, t, 0.1)).abs() < f64::EPSILON);
        }
        assert!((wobble(7, 3, 5, 0.0) - 1.0).abs() < f64::EPSILON);
    }

    #[test]
    fn units_average_to_the_configured_size() {
        let total: u64 = (0..1000).map(|seq| units_of(seq, 1.25)).sum();
        assert_eq!(total, 1250);
        assert!((0..100).all(|seq| units_of(seq, 1.0) == 1));
    }
}
