//! "Did you mean": the closest known name by edit distance, for every stage
//! that reports an unknown name.

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(x) = d.get_mut(at(i, 0)) {
            *x = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(x) = d.get_mut(at(0, j)) {
            *x = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let (ca, cb) = (a.get(i - 1), b.get(j - 1));
            let cost = usize::from(ca != cb);
            let mut v = (get(i - 1, j) + 1)
                .min(get(i, j - 1) + 1)
                .min(get(i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2) && a.get(i - 2) == cb {
                v = v.min(get(i - 2, j - 2) + 1);
            }
            if let Some(x) = d.get_mut(at(i, j)) {
                *x = v;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(usize::MAX)
}

/// The candidate closest to `name`, if it is close enough to be a typo.
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
