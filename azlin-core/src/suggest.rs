//! "Did you mean": the known names closest to what was typed, and the one way an error
//! message offers them.

use crate::text::Escaped;

/// `; did you mean:` and `names` one per line (see [`one_per_line`]), or `otherwise` when
/// no name is close: the tail of every "not found" message.
pub fn did_you_mean<S: AsRef<str>>(names: &[S], otherwise: &str) -> String {
    if names.is_empty() {
        otherwise.to_string()
    } else {
        format!("; did you mean:{}", one_per_line(names))
    }
}

/// Choices for an error message, one per line, each on a new line indented by two
/// spaces, so that the reader can copy one (`; did you mean:` + this); each shown by the
/// rule of [`crate::text`], so that no name can start a line of its own.
pub fn one_per_line<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| format!("\n  {}", Escaped(n.as_ref())))
        .collect()
}

/// Up to three names close to `input` by edit distance, closest first.
pub fn closest<'n>(input: &str, names: impl IntoIterator<Item = &'n str>) -> Vec<String> {
    let limit = (input.chars().count() / 3).clamp(1, 3);
    closest_within(input, names, limit)
}

/// Up to three names within `limit` edits of `input` (or equal to it but for case),
/// closest first; a swap of two neighbours is one edit (optimal string alignment), so
/// `mvym` finds `myvm`. [`closest`] picks the limit from the input's length.
pub fn closest_within<'n>(
    input: &str,
    names: impl IntoIterator<Item = &'n str>,
    limit: usize,
) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = names
        .into_iter()
        .map(|n| (strsim::osa_distance(input, n), n))
        .filter(|(d, n)| *d <= limit || n.eq_ignore_ascii_case(input))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_is_bounded() {
        assert_eq!(closest("myvn", ["myvm", "other"]), vec!["myvm"]);
        // A swap of two neighbours is one edit (optimal string alignment).
        assert_eq!(closest("mvym", ["myvm", "other"]), vec!["myvm"]);
        assert_eq!(closest("dve", ["dev", "main"]), vec!["dev"]);
        assert!(closest("x", ["myvm"]).is_empty());
    }
}
