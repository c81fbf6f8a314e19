//! How quantities read in the console: CPU shares, MiB, percentages.

/// `0.5`, `2`, `1.25`: at most two decimals, no trailing zeros.
pub fn cpus(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `64 MiB`, `1.5 GiB`, `2 TiB` from MiB.
pub fn mib(value: f64) -> String {
    let (amount, unit) = if value >= 1024.0 * 1024.0 {
        (value / (1024.0 * 1024.0), "TiB")
    } else if value >= 1024.0 {
        (value / 1024.0, "GiB")
    } else {
        (value, "MiB")
    };
    format!("{} {unit}", cpus(amount))
}

/// Share of `used` in `total` as 0..=100 (0 when `total` is 0).
pub fn percent(used: f64, total: f64) -> f64 {
    if total > 0.0 {
        (used / total * 100.0).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::{cpus, mib, percent};

    #[test]
    fn quantities_are_short_and_readable() {
        let cases = [(0.5, "0.5"), (2.0, "2"), (1.25, "1.25"), (0.001, "0"), (1.999, "2")];
        for (value, want) in cases {
            assert_eq!(cpus(value), want, "{value}");
        }
        let cases = [(64.0, "64 MiB"), (1536.0, "1.5 GiB"), (2.0 * 1024.0 * 1024.0, "2 TiB"), (0.0, "0 MiB")];
        for (value, want) in cases {
            assert_eq!(mib(value), want, "{value}");
        }
    }

    #[test]
    fn percent_is_bounded_and_safe_for_empty_totals() {
        assert_eq!(percent(1.0, 4.0), 25.0);
        assert_eq!(percent(5.0, 4.0), 100.0);
        assert_eq!(percent(1.0, 0.0), 0.0);
    }
}
