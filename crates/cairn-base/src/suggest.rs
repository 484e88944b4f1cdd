//! "Did you mean": the closest known name by edit distance, for every stage
//! that reports an unknown name.

/// The edit distance of every suggestion: optimal string alignment
/// (Levenshtein plus adjacent transpositions, `biuld` is one edit from
/// `build`), in characters.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

/// The candidate closest to `name`, if it is close enough to be a typo: at
/// most one edit per three characters of `name` (at least one). Of equally
/// close candidates, the first.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// A help line: "did you mean `x`?" or the list of what exists.
pub fn help(name: &str, what: &str, candidates: &[&str]) -> String {
    if let Some(c) = closest(name, candidates.iter().copied()) {
        return format!("did you mean `{c}`?");
    }
    if candidates.is_empty() {
        return format!("no {what} is declared");
    }
    let mut shown: Vec<String> = candidates
        .iter()
        .take(12)
        .map(|c| format!("`{c}`"))
        .collect();
    if candidates.len() > 12 {
        shown.push("...".to_string());
    }
    format!("expected one of: {}", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("build", "build"), 0);
        assert_eq!(distance("biuld", "build"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(closest("chekout", ["checkout", "build"]), Some("checkout"));
        assert_eq!(closest("zzz", ["checkout", "build"]), None);
    }
}
