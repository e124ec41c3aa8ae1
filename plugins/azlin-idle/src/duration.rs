//! Durations as people type them: `90s`, `45m`, `2h`, `1d`, `1h30m`, `1w`.

/// Seconds in a duration like `1h30m`. A bare number is seconds.
pub fn parse(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "`{text}` is not a duration: use a number with a unit, like 90s, 45m, 2h, 1d or 1h30m"
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(secs);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        number.clear();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    if !number.is_empty() {
        // `1h30`: a trailing number without its unit.
        return Err(bad());
    }
    Ok(total)
}

/// A short human form: `3d 4h`, `2h 5m`, `45m`, `12s`.
pub fn format(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, 0) => format!("{h}h"),
        (0, _, _) => format!("{h}h {m}m"),
        (_, 0, _) => format!("{d}d"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse("90s"), Ok(90));
        assert_eq!(parse("45m"), Ok(2700));
        assert_eq!(parse("2h"), Ok(7200));
        assert_eq!(parse("1d"), Ok(86_400));
        assert_eq!(parse("1h30m"), Ok(5400));
        assert_eq!(parse("1w"), Ok(604_800));
        assert_eq!(parse("600"), Ok(600));
        assert_eq!(parse("0s"), Ok(0));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "h",
            "1x",
            "1h30",
            "-5m",
            "1.5h",
            "99999999999999999999w",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("1y").unwrap_err().contains("`1y`"));
    }

    #[test]
    fn formats_shortly() {
        assert_eq!(format(12), "12s");
        assert_eq!(format(2700), "45m");
        assert_eq!(format(7200), "2h");
        assert_eq!(format(7500), "2h 5m");
        assert_eq!(format(3 * 86_400 + 4 * 3600 + 5), "3d 4h");
        assert_eq!(format(86_400 + 60), "1d");
    }
}
