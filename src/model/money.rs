//! Money and percentages as text. Amounts stay integer minor units everywhere else; they become
//! decimals only here, when they are drawn.

/// ISO 4217 codes whose minor unit is the major unit (no decimals).
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];

/// ISO 4217 codes with three decimals.
const THREE_DECIMAL: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Number of decimals of a currency's minor unit (2 unless the code is in the small tables).
#[must_use]
pub fn minor_digits(currency: &str) -> u32 {
    let code = currency.trim().to_ascii_uppercase();
    if ZERO_DECIMAL.contains(&code.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

/// Formats an amount of minor units with its currency code: `6500, "USD"` → `65.00 USD`,
/// `1200, "JPY"` → `1200 JPY`, `-5, "EUR"` → `-0.05 EUR`.
#[must_use]
pub fn format_money(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    // i128 so that i64::MIN has an absolute value.
    let abs = i128::from(minor).unsigned_abs();
    let sign = if minor < 0 { "-" } else { "" };
    let code = currency.trim();
    if digits == 0 {
        return format!("{sign}{abs} {code}");
    }
    let scale = 10u128.pow(digits);
    let major = abs / scale;
    let fraction = abs % scale;
    let width = digits as usize;
    format!("{sign}{major}.{fraction:0width$} {code}")
}

/// Formats a percentage with one decimal (`63.1 %`), or `—` when there is no figure.
#[must_use]
pub fn format_pct(pct: Option<f64>) -> String {
    match pct {
        Some(value) if value.is_finite() => format!("{value:.1} %"),
        _ => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_by_currency() {
        let cases: &[(i64, &str, &str)] = &[
            (6500, "USD", "65.00 USD"),
            (5, "EUR", "0.05 EUR"),
            (-5, "EUR", "-0.05 EUR"),
            (0, "USD", "0.00 USD"),
            (2_795_000, "USD", "27950.00 USD"),
            (1200, "JPY", "1200 JPY"),
            (1200, "jpy", "1200 jpy"),
            (-1200, "KRW", "-1200 KRW"),
            (1234, "KWD", "1.234 KWD"),
            (i64::MIN, "USD", "-92233720368547758.08 USD"),
        ];
        for &(minor, currency, expected) in cases {
            assert_eq!(
                format_money(minor, currency),
                expected,
                "{minor} {currency}"
            );
        }
    }

    #[test]
    fn formats_percentages() {
        assert_eq!(format_pct(Some(63.0769)), "63.1 %");
        assert_eq!(format_pct(None), "—");
        assert_eq!(format_pct(Some(f64::NAN)), "—");
    }
}
