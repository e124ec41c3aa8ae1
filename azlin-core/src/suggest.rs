//! "Did you mean": the known names closest to what was typed, and the one way an error
//! message offers them.

use std::fmt;

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

/// [`did_you_mean`] for close names of several kinds (VM names, labels, sessions: `K`
/// says how to call each). Of one kind, they are listed as they are; of several, grouped
/// by kind (in the order the kinds first come) and each marked with its kind, so the
/// reader sees a VM from a session:
///
/// ```text
/// ; did you mean a VM name or a session name?
///   api       (VM name)
///   myvm:apx  (session name)
/// ```
pub fn did_you_mean_kinds<K: fmt::Display + PartialEq>(
    names: &[(String, K)],
    otherwise: &str,
) -> String {
    let mut kinds: Vec<&K> = Vec::new();
    for (_, k) in names {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if kinds.len() <= 1 {
        let plain: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        return did_you_mean(&plain, otherwise);
    }
    let what: Vec<String> = kinds.iter().map(|k| format!("a {k}")).collect();
    let mut msg = format!("; did you mean {}?", what.join(" or "));
    let shown = |n: &str| Escaped(n).to_string();
    let width = names
        .iter()
        .map(|(n, _)| shown(n).chars().count())
        .max()
        .unwrap_or(0);
    for kind in kinds {
        for (n, _) in names.iter().filter(|(_, k)| k == kind) {
            msg.push_str(&format!("\n  {:<width$}  ({kind})", shown(n)));
        }
    }
    msg
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

    #[test]
    fn names_of_several_kinds_are_grouped() {
        let grouped = did_you_mean_kinds(
            &[
                ("a".to_string(), "VM name"),
                ("x:a".to_string(), "session name"),
                ("b".to_string(), "VM name"),
            ],
            "",
        );
        assert_eq!(
            grouped,
            "; did you mean a VM name or a session name?\n  a    (VM name)\n  b    (VM name)\n  \
             x:a  (session name)"
        );
        let one = did_you_mean_kinds(&[("a".to_string(), "VM name")], ": none");
        assert_eq!(one, "; did you mean:\n  a");
        assert_eq!(did_you_mean_kinds::<&str>(&[], ": none"), ": none");
    }
}
