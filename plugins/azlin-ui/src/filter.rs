//! `/`: which rows a fuzzy query keeps, matched over `vm:session` and the labels with
//! helix's matcher (nucleo-matcher; smart case: lower case matches either case).

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::fleet::Row;

/// The indices of `rows` that `query` keeps, in their order (the table stays grouped by
/// VM); every row for an empty query.
pub fn matching(rows: &[Row], query: &str) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..rows.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    let mut buf = Vec::new();
    rows.iter()
        .enumerate()
        .filter(|(_, row)| {
            let haystack = match &row.label {
                Some(l) => format!("{} {l}", row.compound()),
                None => row.compound(),
            };
            pattern
                .score(Utf32Str::new(&haystack, &mut buf), &mut matcher)
                .is_some()
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(vm: &str, session: &str, label: Option<&str>) -> Row {
        Row {
            vm: vm.into(),
            session: Some(session.into()),
            status: "Running".into(),
            label: label.map(str::to_string),
            clients: None,
            windows: None,
            last_activity: None,
            error: None,
        }
    }

    #[test]
    fn fuzzy_over_compound_and_label() {
        let rows = [
            row("myvm", "dev", None),
            row("myvm", "other", None),
            row("gpu1", "train", Some("resnet")),
            row("vm2", "build", Some("Release")),
        ];
        assert_eq!(matching(&rows, ""), [0, 1, 2, 3]);
        assert_eq!(matching(&rows, "dev"), [0]);
        assert_eq!(matching(&rows, "mvdv"), [0], "fuzzy: letters in order");
        assert_eq!(matching(&rows, "resnet"), [2], "labels match too");
        assert_eq!(
            matching(&rows, "release"),
            [3],
            "lower case matches any case"
        );
        assert!(matching(&rows, "Dev").is_empty(), "upper case is exact");
        assert_eq!(matching(&rows, "myvm:"), [0, 1]);
    }
}
